// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

/// <summary>Catalog writes of external nodes on the state store: one index per write, table indexes only forward.</summary>
public sealed class CatalogStoreTests : IDisposable
{
    private readonly AgentState _state = AgentState.Create(
        new ConsulTestAgentOptions { NodeName = "node1", TimeProvider = new FakeTimeProvider() }, NullLogger.Instance);

    private StateStore Store => _state.Store;

    [Fact]
    public void Registration_IsOneWrite_AndMovesNodeServiceAndCheckIndexes()
    {
        var before = (Store.NodesTableIndex, Store.ServicesTableIndex, Store.ChecksTableIndex);

        var index = Store.WriteRegistration(Node("ext"), skipNodeUpdate: false, Service("db-1", "db"), [Check("c1", "db-1", "db")]);

        Assert.Equal(StateStore.BootIndex + 1, index);
        Assert.True(Store.NodesTableIndex > before.NodesTableIndex);
        Assert.Equal(index, Store.ServicesTableIndex);
        Assert.Equal(index, Store.ChecksTableIndex);
        Assert.Equal(index, Store.NodeIndex("ext"));
        Assert.Equal(["db"], Store.Node("ext").Checks["c1"].ServiceTags);
        Assert.Equal(0UL, Store.WriteRegistration(Node("ext"), skipNodeUpdate: false, Service("db-1", "db"), [Check("c1", "db-1", "db")]));
    }

    [Fact]
    public void RemovingANode_MovesEveryTableForward_AndItsIndexBecomesTheExtinctionIndex()
    {
        Store.WriteRegistration(Node("ext"), skipNodeUpdate: false, Service("db-1", "db"), [Check("c1", "db-1", "db")]);
        var checks = Store.ChecksTableIndex;

        Store.RemoveNode("ext");

        Assert.False(Store.Nodes.ContainsKey("ext"));
        Assert.True(Store.ChecksTableIndex > checks);
        Assert.Equal(Store.Index, Store.NodeIndex("ext"));
        Assert.Equal(Store.Index, Store.ServiceIndex("db", checksTable: true));
    }

    [Fact]
    public void DeregisteringAServiceWithoutChecks_StillMovesTheChecksTable()
    {
        Store.WriteRegistration(Node("ext"), skipNodeUpdate: false, Service("web-1", "web"), []);
        var checks = Store.ChecksTableIndex;

        Store.DeregisterService("ext", "web-1");

        Assert.True(Store.ChecksTableIndex > checks);
    }

    [Fact]
    public void CoordinateOfAnUnknownNode_IsDropped()
    {
        var coordinate = NetworkCoordinate.Origin with { Error = 0.5 };
        Store.UpdateCoordinate("ghost", string.Empty, coordinate);
        Assert.DoesNotContain(Store.Coordinates(), c => c.Node == "ghost");

        Store.WriteRegistration(Node("ext"), skipNodeUpdate: false, null, []);
        Store.UpdateCoordinate("ext", string.Empty, coordinate);
        Assert.Equal(0.5, Store.Coordinates().Single(c => c.Node == "ext").Coord.Error);
    }

    [Fact]
    public void EventIndex_IsTheXorOfTheIdHalves() =>
        Assert.Equal(0x0123456789abcdefUL ^ 0xfedcba9876543210UL, UserEvent.IdToIndex("01234567-89ab-cdef-fedc-ba9876543210"));

    public void Dispose() => _state.Dispose();

    private static NodeInfo Node(string name) => new(name, string.Empty, "10.0.0.1", "dc1", 0) { IsExternal = true };

    private static ServiceRecord Service(string id, string name) => new() { Id = id, Name = name, Tags = [name] };

    private static CheckRecord Check(string id, string serviceId, string serviceName) => new()
    {
        CheckId = id,
        Name = id,
        ServiceId = serviceId,
        ServiceName = serviceName,
        Status = "passing",
        CatalogStatus = "passing",
    };
}
