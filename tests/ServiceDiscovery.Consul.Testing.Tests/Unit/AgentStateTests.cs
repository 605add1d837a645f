// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

/// <summary>The state store and an agent's local state, driven directly on a fake clock: no HTTP, no sleeps.</summary>
public sealed class AgentStateTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly AgentState _state;

    public AgentStateTests()
    {
        var options = new ConsulTestAgentOptions { NodeName = "node1", TimeProvider = _time };
        _state = AgentState.Create(options, NullLogger.Instance);
    }

    private StateStore Store => _state.Store;

    private LocalAgentState Local => _state.Local;

    [Fact]
    public void Register_SyncsIntoTheCatalogAtOneNewIndexAndWakesWaiters()
    {
        var changed = Store.Changes.NextChange;

        Local.RegisterService(Service("""{"ID":"web-1","Name":"web","Check":{"TTL":"10s"}}"""), replaceExistingChecks: false);

        Assert.True(changed.IsCompleted);
        Assert.Equal(StateStore.BootIndex + 1, Store.Index);
        var node = Store.Node("node1");
        Assert.Equal(StateStore.BootIndex + 1, node.Services["web-1"].ModifyIndex);
        Assert.Contains("service:web-1", node.Checks.Keys);
        Assert.Equal(Store.Index, Store.ServiceIndex("web", checksTable: true));
    }

    [Fact]
    public void IdenticalReRegistration_MovesNoIndex()
    {
        const string body = """{"ID":"web-1","Name":"web","Tags":["a"]}""";
        Local.RegisterService(Service(body), replaceExistingChecks: false);
        var index = Store.Index;

        Local.RegisterService(Service(body), replaceExistingChecks: false);

        Assert.Equal(index, Store.Index);
        Assert.Equal(index, Store.ServiceIndex("web", checksTable: false));
    }

    [Fact]
    public void LastInstanceLeaving_RecordsTheExtinctionIndex()
    {
        Local.RegisterService(Service("""{"ID":"web-1","Name":"web"}"""), replaceExistingChecks: false);

        Assert.True(Local.DeregisterService("web-1"));

        Assert.Empty(Store.Node("node1").Services);
        Assert.Equal(Store.Index, Store.ServiceIndex("web", checksTable: true));
        Assert.Equal(Store.Index, Store.ServiceIndex("other", checksTable: true));
    }

    [Fact]
    public void TtlExpiry_ReachesTheCatalog_AndTheReaperRemovesTheServiceAfterTheFloor()
    {
        Local.RegisterService(
            Service("""{"ID":"web-1","Name":"web","Check":{"TTL":"10s","Status":"passing","DeregisterCriticalServiceAfter":"1s"}}"""),
            replaceExistingChecks: false);
        var check = Store.Node("node1").Checks["service:web-1"];
        Assert.Equal("passing", check.CatalogStatus);

        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal("critical", check.CatalogStatus);
        Assert.Equal("TTL expired", check.CatalogOutput);

        _time.Advance(TimeSpan.FromSeconds(30)); // a reaper pass: critical for 30s, below the 1m floor
        Assert.Contains("web-1", Local.Services.Keys);

        _time.Advance(TimeSpan.FromSeconds(30)); // next pass: critical for 60s, not longer than the floor yet
        Assert.Contains("web-1", Local.Services.Keys);

        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.DoesNotContain("web-1", Local.Services.Keys);
        Assert.Empty(Store.Node("node1").Services);
    }

    [Fact]
    public void SerfHealth_LivesInTheCatalogOnly()
    {
        Assert.Contains("serfHealth", Store.Node("node1").Checks.Keys);
        Assert.DoesNotContain("serfHealth", Local.Checks.Keys);
        Assert.False(Local.DeregisterCheck("serfHealth"));
    }

    public void Dispose() => _state.Dispose();

    private static ServiceDefinition Service(string json) => RequestReaders.ReadService(Encoding.UTF8.GetBytes(json));
}
