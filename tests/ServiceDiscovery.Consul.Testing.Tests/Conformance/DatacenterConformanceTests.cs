// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// The datacenter facts one agent shows (§21), which a real Consul of one or more datacenters shows too: its own
/// datacenter listed first, its server in the WAN pool, no path to an unknown datacenter for reads, catalog writes
/// and failover candidates. The multi-datacenter behaviour itself is in <c>Federation/</c> (test cluster only).
/// </summary>
public sealed class DatacenterConformanceTests
{
    [Fact]
    public async Task OwnDatacenterFirst_ItsServerInTheWanPool()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var config = (await consul.GetAsync("/v1/agent/self")).Json["Config"]!;
        var (dc, node) = (config["Datacenter"]!.GetValue<string>(), config["NodeName"]!.GetValue<string>());

        var datacenters = await consul.GetAsync("/v1/catalog/datacenters");
        var wan = await consul.GetAsync("/v1/agent/members?wan=1");

        Assert.Equal(dc, datacenters.Json.AsArray()[0]!.GetValue<string>());
        Assert.Contains(wan.Json.AsArray(), m => m!["Name"]!.GetValue<string>() == $"{node}.{dc}" && m["Tags"]!["dc"]!.GetValue<string>() == dc);
        Assert.False(string.IsNullOrEmpty(config["PrimaryDatacenter"]!.GetValue<string>()));
    }

    [Fact]
    public async Task UnknownDatacenter_NoPath_ForReadsAndCatalogWrites()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var unknown = consul.Name("nowhere");

        var read = await consul.GetAsync($"/v1/kv/x?dc={unknown}");
        var write = await consul.PutAsync("/v1/catalog/register", $$"""{"Datacenter":"{{unknown}}","Node":"{{consul.Name("n")}}","Address":"10.0.0.1"}""");

        Assert.Equal(500, read.Status);
        Assert.EndsWith("No path to datacenter", read.Text.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(500, write.Status);
        Assert.EndsWith("No path to datacenter", write.Text.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PreparedQuery_NoInstanceAnywhere_EmptyFromTheLocalDatacenter_UnknownFailoverDatacentersSkipped()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var dc = (await consul.GetAsync("/v1/agent/self")).Json["Config"]!["Datacenter"]!.GetValue<string>();
        var query = new System.Text.Json.Nodes.JsonObject
        {
            ["Name"] = consul.Name("q"),
            ["Service"] = new System.Text.Json.Nodes.JsonObject
            {
                ["Service"] = consul.Name("none"),
                ["Failover"] = new System.Text.Json.Nodes.JsonObject { ["Datacenters"] = new System.Text.Json.Nodes.JsonArray(consul.Name("nowhere"), dc) },
            },
        };
        var created = await consul.SendAsync(HttpMethod.Post, "/v1/query", query.ToJsonString());
        var id = created.Json["ID"]!.GetValue<string>();
        try
        {
            var answer = await consul.GetAsync($"/v1/query/{id}/execute");

            Assert.Equal(200, answer.Status);
            Assert.Empty(answer.Json["Nodes"]!.AsArray());
            Assert.Equal(dc, answer.Json["Datacenter"]!.GetValue<string>());
            Assert.Equal(0, answer.Json["Failovers"]!.GetValue<int>());
        }
        finally
        {
            await consul.DeleteAsync($"/v1/query/{id}");
        }
    }
}
