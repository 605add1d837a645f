// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Primitives;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>The public result types, as users build them for their own tests and custom sources.</summary>
public sealed class ConsulServiceInstanceTests
{
    [Fact]
    public void Constructor_Defaults_AreHttpPassingWeightOne()
    {
        var instance = new ConsulServiceInstance("catalog-1", "catalog", "10.0.0.1", 8080);

        Assert.Equal("http", instance.Scheme);
        Assert.Equal(ConsulCheckStatus.Passing, instance.CheckStatus);
        Assert.Equal(1, instance.Weight);
        Assert.Empty(instance.Tags);
        Assert.Empty(instance.Meta);
        Assert.Equal(new Uri("http://10.0.0.1:8080/"), instance.Uri);
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("id", () => new ConsulServiceInstance(null!, "catalog", "h", 1));
        Assert.Throws<ArgumentException>("serviceName", () => new ConsulServiceInstance("a", "", "h", 1));
        Assert.Throws<ArgumentException>("address", () => new ConsulServiceInstance("a", "catalog", "", 1));
        Assert.Throws<ArgumentOutOfRangeException>("port", () => new ConsulServiceInstance("a", "catalog", "h", 70000));
        Assert.Throws<ArgumentException>("scheme", () => new ConsulServiceInstance("a", "catalog", "h", 1, scheme: "1nvalid"));
    }

    [Fact]
    public void Weight_InWarning_IsTheWarningWeight()
    {
        var instance = new ConsulServiceInstance("a", "catalog", "h", 1, checkStatus: ConsulCheckStatus.Warning, passingWeight: 10, warningWeight: 2);

        Assert.Equal(2, instance.Weight);
    }

    [Fact]
    public void Instances_Constructor_CopiesAndExposesTheList()
    {
        var source = new List<ConsulServiceInstance> { new("a", "catalog", "h", 1), new("b", "catalog", "h", 2) };

        var instances = new ConsulServiceInstances("catalog", source, isStale: true);
        source.Clear();

        Assert.Equal(2, instances.Count);
        Assert.True(instances.IsStale);
        Assert.False(instances.ChangeToken.HasChanged);
        var ids = new List<string>();
        foreach (var instance in instances)
        {
            ids.Add(instance.Id);
        }

        Assert.Equal(["a", "b"], ids);
        Assert.Equal(2, instances.AsSpan().Length);
    }

    [Fact]
    public void Instances_Constructor_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>("instances", () => new ConsulServiceInstances("catalog", null!));
        Assert.Throws<ArgumentNullException>("instances", () => new ConsulServiceInstances("catalog", [null!]));
        Assert.Throws<ArgumentException>("serviceName", () => new ConsulServiceInstances("", []));
    }

    [Fact]
    public void Instances_GivenToken_IsExposed()
    {
        using var cts = new CancellationTokenSource();
        var instances = new ConsulServiceInstances("catalog", [], changeToken: new CancellationChangeToken(cts.Token));

        cts.Cancel();

        Assert.True(instances.ChangeToken.HasChanged);
    }
}
