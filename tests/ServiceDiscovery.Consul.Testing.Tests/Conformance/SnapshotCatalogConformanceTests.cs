// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

using static ServiceDiscovery.Consul.Testing.Tests.Conformance.SnapshotConformanceTests;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md (snapshots): the catalog is in the archive. A restore puts back every node, service,
/// check and coordinate with its indexes (catalog-registered ones come back only from the archive), the agent's
/// anti-entropy then writes back the services it owns, and blocking catalog and health queries end. Against a real
/// Consul the "fresh" agent is the same one, and a restore needs <c>CONSUL_TEST_SNAPSHOT_RESTORE=1</c>.
/// </summary>
public sealed class SnapshotCatalogConformanceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>A real agent's anti-entropy runs every minute or two; the test agent syncs within the restore.</summary>
    private static TimeSpan SyncDeadline => ConsulTarget.IsReal ? TimeSpan.FromMinutes(4) : Deadline;

    [Fact]
    public async Task Restore_OnAFreshAgent_PutsCatalogNodesServicesChecksAndCoordinatesBack()
    {
        await using var source = await ConsulTarget.StartAsync();
        RequireRestoreAllowed();
        var (node, service) = await RegisterExternalAsync(source);
        await source.RegisterAsync($$"""{"ID":"{{source.Name("own-a")}}","Name":"{{source.Name("own-a")}}","Port":9001}""");
        var reads = Reads(node, service);
        var expected = await ReadAllAsync(source, reads);
        var (_, _, archive) = await SaveAsync(source);

        await using var fresh = await ConsulTarget.StartAsync();
        var own = source.Name("own-b");
        await fresh.RegisterAsync($$$"""{"ID":"{{{own}}}","Name":"{{{own}}}","Port":9002,"Check":{"TTL":"60s","Status":"passing"}}""");
        var restore = await RestoreAsync(fresh, archive);
        Assert.Equal((200, string.Empty), (restore.Status, restore.Text));

        var actual = await ReadAllAsync(fresh, reads);
        for (var i = 0; i < reads.Length; i++)
        {
            Assert.Equal((reads[i], expected[i].Text), (reads[i], actual[i].Text));
        }

        // The service's own index comes back with it (catalog.go maxIndexForService reads the restored index table).
        Assert.Equal(expected[2].Index, actual[2].Index);
        var check = actual[1].Json.AsArray().Single(c => c!["ServiceID"]!.GetValue<string>() == service + "-1")!;
        Assert.Equal(("critical", "dial tcp 10.1.2.3:8080: connection refused"), (check["Status"]!.GetValue<string>(), check["Output"]!.GetValue<string>()));

        // The agent's own service was not in the archive: its anti-entropy writes it back.
        var synced = await Eventually.UntilAsync(() => fresh.GetAsync($"/v1/health/service/{own}"), r => r.Status == 200 && r.Json.AsArray().Count == 1, SyncDeadline);
        Assert.Equal("passing", synced.Json[0]!["Checks"]!.AsArray().Single(c => c!["ServiceID"]!.GetValue<string>() == own)!["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Restore_UndoesACatalogDeregistrationMadeAfterTheSnapshot()
    {
        await using var consul = await ConsulTarget.StartAsync();
        RequireRestoreAllowed();
        var (node, service) = await RegisterExternalAsync(consul);
        var reads = Reads(node, service);
        var expected = await ReadAllAsync(consul, reads);
        var (_, _, archive) = await SaveAsync(consul);

        Assert.Equal(200, (await consul.PutAsync("/v1/catalog/deregister", $$"""{"Node":"{{node}}","CheckID":"{{service}}-check"}""")).Status);
        Assert.Equal(200, (await consul.PutAsync("/v1/catalog/deregister", $$"""{"Node":"{{node}}"}""")).Status);
        Assert.Equal(404, (await consul.GetAsync($"/v1/coordinate/node/{node}")).Status);
        Assert.Equal("[]", (await consul.GetAsync($"/v1/health/service/{service}")).Text.Trim());

        Assert.Equal(200, (await RestoreAsync(consul, archive)).Status);
        var actual = await ReadAllAsync(consul, reads);
        for (var i = 0; i < reads.Length; i++)
        {
            Assert.Equal((reads[i], expected[i].Text), (reads[i], actual[i].Text));
        }
    }

    [Fact]
    public async Task Restore_AgentServicesFollowTheAgent_NotTheArchive()
    {
        await using var consul = await ConsulTarget.StartAsync();
        RequireRestoreAllowed();
        var keep = consul.Name("keep");
        var drop = consul.Name("drop");
        await consul.RegisterAsync($$$"""
            {"ID":"{{{keep}}}","Name":"{{{keep}}}","Address":"10.0.0.5","Port":9001,"Tags":["v1"],"Meta":{"team":"a"},"Weights":{"Passing":5,"Warning":2},
             "Check":{"TTL":"60s","Status":"passing"},"Connect":{"SidecarService":{ } } }
            """);
        await consul.RegisterAsync($$"""{"ID":"{{drop}}","Name":"{{drop}}","Port":9002}""");
        var kept = await consul.GetAsync($"/v1/health/service/{keep}");
        var sidecar = await consul.GetAsync($"/v1/catalog/service/{keep}-sidecar-proxy");
        var (_, _, archive) = await SaveAsync(consul);
        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/service/deregister/{drop}")).Status);

        Assert.Equal(200, (await RestoreAsync(consul, archive)).Status);

        // The archive still lists the deregistered service; the agent no longer has it, so anti-entropy removes it.
        await Eventually.UntilAsync(() => consul.GetAsync($"/v1/catalog/service/{drop}"), r => r.Status == 200 && r.Text.Trim() == "[]", SyncDeadline);

        // The service the agent still has is in sync with the archive's row: nothing is written, its indexes stay.
        var after = await consul.GetAsync($"/v1/health/service/{keep}");
        Assert.Equal(kept.Text, after.Text);
        Assert.Equal(sidecar.Text, (await consul.GetAsync($"/v1/catalog/service/{keep}-sidecar-proxy")).Text);
    }

    [Fact]
    public async Task Restore_EndsBlockingCatalogAndHealthQueries()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var agent = consul.RequireAgent("a real Consul does not tell when a blocking query is parked");
        var (node, service) = await RegisterExternalAsync(consul);
        var (_, _, archive) = await SaveAsync(consul);
        Assert.Equal(200, (await consul.PutAsync("/v1/catalog/deregister", $$"""{"Node":"{{node}}"}""")).Status);
        var gone = await consul.GetAsync($"/v1/health/service/{service}");
        var goneCatalog = await consul.GetAsync($"/v1/catalog/service/{service}");

        var health = consul.GetAsync($"/v1/health/service/{service}?index={gone.Index}&wait=5m");
        var catalog = consul.GetAsync($"/v1/catalog/service/{service}?index={goneCatalog.Index}&wait=5m");
        await agent.WaitUntilAsync(a => a.Store.BlockedQueries == 2, Deadline, TestContext.Current.CancellationToken);
        Assert.Equal(200, (await RestoreAsync(consul, archive)).Status);

        // Consul's blocking query ends when the state store it watched is abandoned, answering what it had.
        var woken = await health.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        var wokenCatalog = await catalog.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        Assert.Equal((200, "[]", gone.Index), (woken.Status, woken.Text.Trim(), woken.Index));
        Assert.Equal((200, "[]", goneCatalog.Index), (wokenCatalog.Status, wokenCatalog.Text.Trim(), wokenCatalog.Index));
        Assert.Single((await consul.GetAsync($"/v1/health/service/{service}")).Json.AsArray());
    }

    [Fact]
    public async Task Restore_OnAnotherAgent_SyncsOnlyWhatThatAgentOwns()
    {
        await using var source = await ConsulTarget.StartAsync();
        source.RequireAgent("a second agent with the same node name is started in-process");
        var ownA = source.Name("own-a");
        await source.RegisterAsync($$"""{"ID":"{{ownA}}","Name":"{{ownA}}","Port":9001}""");
        var (_, _, archive) = await SaveAsync(source);
        var savedIndex = (await source.GetAsync($"/v1/catalog/service/{ownA}")).Index;

        await using var fresh = await ConsulTarget.StartAsync();
        var ownB = source.Name("own-b");
        await fresh.RegisterAsync($$"""{"ID":"{{ownB}}","Name":"{{ownB}}","Port":9002}""");
        var freshId = (await fresh.GetAsync("/v1/agent/self")).Json["Config"]!["NodeID"]!.GetValue<string>();
        Assert.Equal(200, (await RestoreAsync(fresh, archive)).Status);

        // The archive's node1 held the first agent's service; the second agent does not own it, so anti-entropy removes it.
        Assert.Equal("[]", (await fresh.GetAsync($"/v1/catalog/service/{ownA}")).Text.Trim());
        var synced = (await fresh.GetAsync($"/v1/catalog/service/{ownB}")).Json.AsArray().Single()!;
        Assert.True(synced["CreateIndex"]!.GetValue<ulong>() > savedIndex, $"synced at {synced["CreateIndex"]}, archive taken at {savedIndex}");
        var self = (await fresh.GetAsync("/v1/catalog/node/node1")).Json["Node"]!;
        Assert.Equal(freshId, self["ID"]!.GetValue<string>());
        var serf = (await fresh.GetAsync("/v1/health/node/node1")).Json.AsArray().Single(c => c!["CheckID"]!.GetValue<string>() == "serfHealth")!;
        Assert.Equal("passing", serf["Status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Restore_FromAnotherDatacenter_TheAgentsNodeKeepsItsOwnIdentity()
    {
        await using var east = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { NodeName = "node1", Datacenter = "east" }, "the archive comes from an agent of another datacenter");
        var (_, _, archive) = await SaveAsync(east);

        await using var fresh = await ConsulTarget.StartAsync();
        var before = (await fresh.GetAsync("/v1/catalog/node/node1")).Json["Node"]!;
        Assert.Equal(200, (await RestoreAsync(fresh, archive)).Status);

        // The leader's reconcile writes its member back as it is: ID, address and datacenter of the running agent.
        var after = (await fresh.GetAsync("/v1/catalog/node/node1")).Json["Node"]!;
        Assert.Equal(
            (before["ID"]!.GetValue<string>(), before["Address"]!.GetValue<string>(), "dc1"),
            (after["ID"]!.GetValue<string>(), after["Address"]!.GetValue<string>(), after["Datacenter"]!.GetValue<string>()));
    }

    /// <summary>An external node with tagged addresses and meta, a service, a critical service check with output, a node check and a coordinate.</summary>
    private static async Task<(string Node, string Service)> RegisterExternalAsync(ConsulTarget consul)
    {
        var node = consul.Name("ext");
        var service = consul.Name("svc");
        var register = await consul.PutAsync("/v1/catalog/register", $$$"""
            {"Node":"{{{node}}}","Address":"10.1.2.3","TaggedAddresses":{"lan":"10.1.2.3","wan":"198.51.100.7"},"NodeMeta":{"rack":"r1"},
             "Service":{"ID":"{{{service}}}-1","Service":"{{{service}}}","Tags":["a","b"],"Address":"10.1.2.3","Port":8080,"Meta":{"v":"1"},"Weights":{"Passing":3,"Warning":1}},
             "Checks":[{"CheckID":"{{{service}}}-check","Name":"probe","Status":"critical","Output":"dial tcp 10.1.2.3:8080: connection refused","ServiceID":"{{{service}}}-1",
                        "Type":"http","Interval":"10s","Timeout":"2s","Definition":{"HTTP":"http://10.1.2.3:8080/health","Interval":"10s"}},
                       {"CheckID":"{{{node}}}-alive","Name":"node alive","Status":"passing","Output":"ok"}]}
            """);
        Assert.Equal(200, register.Status);
        var update = await consul.PutAsync("/v1/coordinate/update", $$$"""{"Node":"{{{node}}}","Coord":{"Vec":[0.001,0,0,0,0,0,0,0.25],"Error":0.5,"Adjustment":0.125,"Height":0.0002}}""");
        Assert.Equal(200, update.Status);

        // A real Consul applies coordinate updates in batches.
        await Eventually.UntilAsync(() => consul.GetAsync($"/v1/coordinate/node/{node}"), r => r.Status == 200, Deadline);
        return (node, service);
    }

    private static string[] Reads(string node, string service) =>
    [
        $"/v1/catalog/node/{node}", $"/v1/health/node/{node}", $"/v1/health/service/{service}", $"/v1/catalog/service/{service}",
        $"/v1/health/checks/{service}", $"/v1/coordinate/node/{node}",
    ];

    private static async Task<List<Reply>> ReadAllAsync(ConsulTarget consul, string[] reads)
    {
        var replies = new List<Reply>();
        foreach (var path in reads)
        {
            var reply = await consul.GetAsync(path);
            Assert.True(reply.Status == 200, $"{path}: {reply.Status} {reply.Text}");
            replies.Add(reply);
        }

        return replies;
    }
}
