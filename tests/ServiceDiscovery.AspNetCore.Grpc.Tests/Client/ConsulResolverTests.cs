// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using ServiceDiscovery.AspNetCore.Grpc.Client;
using ServiceDiscovery.AspNetCore.Grpc.Tests.TestInfrastructure;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;
using static ServiceDiscovery.AspNetCore.Grpc.Tests.TestInfrastructure.FakeDiscovery;

namespace ServiceDiscovery.AspNetCore.Grpc.Tests.Client;

public sealed class ConsulResolverTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public void Start_PlaintextChannel_PublishesThePlaintextInstancesOncePerEndpointWithRoundRobin()
    {
        using var harness = new ResolverHarness(new FakeDiscovery(
            Instance("a", 5001),
            Instance("b", 5002, scheme: "grpc"),
            Instance("c", 5003, scheme: "http"),
            Instance("tls", 5004, scheme: "https"),
            Instance("a-again", 5001)));

        harness.Start();

        var result = Assert.Single(harness.Results);
        Assert.Equal(StatusCode.OK, result.Status.StatusCode);
        Assert.Equal(["10.0.0.1:5001", "10.0.0.1:5002", "10.0.0.1:5003"], harness.LastEndpoints);
        Assert.Equal("a", result.Addresses![0].Attributes.TryGetValue(ResolvedAddresses.InstanceKey, out var instance) ? instance.Id : null);
        Assert.Equal("round_robin", Assert.Single(result.ServiceConfig!.LoadBalancingConfigs).PolicyName);
    }

    [Fact]
    public void Start_TlsChannel_PublishesOnlyHttpsInstances()
    {
        var channel = new GrpcChannelOptions { Credentials = ChannelCredentials.Create(ChannelCredentials.SecureSsl, CallCredentials.FromInterceptor((_, _) => Task.CompletedTask)) };
        using var harness = new ResolverHarness(new FakeDiscovery(Instance("a", 5001), Instance("tls", 5004, scheme: "https")), channel);

        harness.Start();

        Assert.Equal(["10.0.0.1:5004"], harness.LastEndpoints);
    }

    [Fact]
    public void Start_ChannelNamesItsOwnPolicy_ResolverLeavesTheChoiceToIt()
    {
        var channel = new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Insecure,
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new PickFirstConfig() } },
        };
        using var harness = new ResolverHarness(new FakeDiscovery(Instance("a", 5001)), channel);

        harness.Start();

        Assert.Null(harness.Last.ServiceConfig);
    }

    [Fact]
    public void Push_CacheChanges_EachChangePublishedWithoutPolling()
    {
        var discovery = new FakeDiscovery(Instance("a", 5001), Instance("b", 5002));
        using var harness = new ResolverHarness(discovery);
        harness.Start();

        discovery.Push(Instance("a", 5001), Instance("b", 5002), Instance("c", 5003));
        Assert.Equal(["10.0.0.1:5001", "10.0.0.1:5002", "10.0.0.1:5003"], harness.LastEndpoints);
        discovery.Push(Instance("c", 5003));
        Assert.Equal(["10.0.0.1:5003"], harness.LastEndpoints);

        // Nothing changes for a long while: no lookup happens (pushed, never polled).
        harness.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(3, discovery.Lookups);
        Assert.Equal(3, harness.Results.Count);
    }

    [Fact]
    public void Push_StaleList_AddressesKeptAsTheCacheServesThem()
    {
        var discovery = new FakeDiscovery(Instance("a", 5001));
        using var harness = new ResolverHarness(discovery);
        harness.Start();

        discovery.Push(stale: true, Instance("a", 5001));

        Assert.Equal(StatusCode.OK, harness.Last.Status.StatusCode);
        Assert.Equal(["10.0.0.1:5001"], harness.LastEndpoints);
    }

    [Fact]
    public void Push_NoInstanceLeft_UnavailableNamingTheService()
    {
        var discovery = new FakeDiscovery(Instance("a", 5001));
        using var harness = new ResolverHarness(discovery);
        harness.Start();

        discovery.Push();

        Assert.Equal(StatusCode.Unavailable, harness.Last.Status.StatusCode);
        Assert.Equal("Consul has no available instance of 'catalog'.", harness.Last.Status.Detail);
    }

    [Fact]
    public void Start_OnlyInstancesOfAnotherScheme_UnavailableNamingTheSchemesAndTheFix()
    {
        using var harness = new ResolverHarness(new FakeDiscovery(Instance("tls", 5004, scheme: "https")));

        harness.Start();

        Assert.Equal(StatusCode.Unavailable, harness.Last.Status.StatusCode);
        Assert.StartsWith("Consul lists 1 instance(s) of 'catalog', none serving a scheme this channel speaks (h2c, grpc, http;", harness.Last.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("ChannelCredentials.SecureSsl", harness.Last.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_FirstReadFails_UnavailableThenRetriedWithBackoffUntilConsulAnswers()
    {
        var discovery = new FakeDiscovery(Instance("a", 5001));
        discovery.Unreachable = true;
        using var harness = new ResolverHarness(discovery);

        harness.Start();

        Assert.Equal(StatusCode.Unavailable, harness.Last.Status.StatusCode);
        Assert.Equal("Could not discover service 'catalog': the Consul agent could not be reached.", harness.Last.Status.Detail);
        Assert.Equal(1, discovery.Lookups);

        // RetryDelay (1 s), then doubled (2 s): each retry waits its delay, none comes sooner.
        harness.Time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, discovery.Lookups);
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.WaitAsync(() => discovery.Lookups == 2, Deadline, "the first retry after 1 s");
        harness.Time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(2, discovery.Lookups);
        discovery.Unreachable = false;
        harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.WaitAsync(() => harness.Last.Status.StatusCode == StatusCode.OK, Deadline, "the second retry, 2 s later, publishes");

        Assert.Equal(["10.0.0.1:5001"], harness.LastEndpoints);
        harness.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(3, discovery.Lookups);
    }

    [Fact]
    public async Task Start_LookupThrowsAnythingElse_UnavailableAndStillRetried()
    {
        var discovery = new FakeDiscovery(Instance("a", 5001));
        var broken = true;
        discovery.Answer = _ => broken ? throw new InvalidOperationException("a bug in a lookup") : discovery.Current;
        using var harness = new ResolverHarness(discovery);

        harness.Start();

        Assert.Equal(StatusCode.Unavailable, harness.Last.Status.StatusCode);
        broken = false;
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.WaitAsync(() => harness.Last.Status.StatusCode == StatusCode.OK, Deadline, "the read loop survives and the retry publishes");
    }

    [Fact]
    public async Task Refresh_WhileARetryWaits_ReadsAtOnce()
    {
        var discovery = new FakeDiscovery(Instance("a", 5001));
        discovery.Unreachable = true;
        using var harness = new ResolverHarness(discovery);
        harness.Start();

        discovery.Unreachable = false;
        harness.Resolver.Refresh();

        await Eventually.WaitAsync(() => harness.Last.Status.StatusCode == StatusCode.OK, Deadline, "the refresh reads without waiting for the retry delay");
        Assert.Equal(2, discovery.Lookups);
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, discovery.Lookups);
    }

    [Fact]
    public void Refresh_ListPublished_NoExtraLookup()
    {
        var discovery = new FakeDiscovery(Instance("a", 5001));
        using var harness = new ResolverHarness(discovery);
        harness.Start();

        harness.Resolver.Refresh();

        Assert.Equal(1, discovery.Lookups);
    }

    [Fact]
    public async Task ReRead_FailsAfterAListWasPublished_AddressesKeptAndRetried()
    {
        var discovery = new FakeDiscovery(Instance("a", 5001));
        using var harness = new ResolverHarness(discovery);
        harness.Start();
        discovery.Unreachable = true;

        discovery.Push(Instance("b", 5002)); // e.g. the cache evicted the name and Consul is down when it is read again

        Assert.Single(harness.Results);
        Assert.Equal(["10.0.0.1:5001"], harness.LastEndpoints);
        discovery.Unreachable = false;
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.WaitAsync(() => harness.Results.Count == 2, Deadline, "the retry publishes the newer list");
        Assert.Equal(["10.0.0.1:5002"], harness.LastEndpoints);
    }

    [Fact]
    public void Dispose_ThenTheCacheChanges_NothingRead()
    {
        var discovery = new FakeDiscovery(Instance("a", 5001));
        var harness = new ResolverHarness(discovery);
        harness.Start();

        harness.Dispose();
        discovery.Push(Instance("b", 5002));

        Assert.Equal(1, discovery.Lookups);
        Assert.Single(harness.Results);
    }
}
