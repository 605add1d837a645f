// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md, Prepared queries and ACLs (agent/consul/prepared_query_endpoint.go, acl.go
/// <c>filterPreparedQueries</c>): what a token sees of the query list, a query and its explanation, and whose token
/// filters an execution.
/// </summary>
public sealed class PreparedQueryAclConformanceTests
{
    [Fact]
    public async Task List_ShowsNamedQueriesTheTokenMayRead_WithTokensHidden_AndUnnamedOnesOnlyByTheirId()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        var (visible, hidden) = (consul.Name("pub"), consul.Name("priv"));
        await acl.CreatePolicyAsync(consul.Name("q-read"), $$"""query_prefix "{{visible}}" { policy = "read" }""");
        var (_, secret) = await acl.CreateTokenAsync(consul.Name("q-read"));
        var (_, queryToken) = await acl.CreateTokenAsync(new JsonObject { ["Description"] = "stored in a query" });

        var visibleId = await CreateAsync(acl, new JsonObject { ["Name"] = visible, ["Token"] = queryToken, ["Service"] = new JsonObject { ["Service"] = consul.Name("web") } });
        var hiddenId = await CreateAsync(acl, new JsonObject { ["Name"] = hidden, ["Service"] = new JsonObject { ["Service"] = consul.Name("web") } });
        // An unnamed query must be bound to a session; the session's TTL also cleans the query up on a real Consul.
        var session = await consul.PutAsync("/v1/session/create", """{"TTL":"10s"}""", acl.Management);
        Assert.Equal(200, session.Status);
        var unnamedId = await CreateAsync(acl, new JsonObject { ["Session"] = (string)session.Json["ID"]!, ["Token"] = queryToken, ["Service"] = new JsonObject { ["Service"] = consul.Name("web") } });

        var list = await consul.GetAsync("/v1/query", secret);
        Assert.Equal(200, list.Status);
        var shown = Assert.Single(list.Json.AsArray())!;
        Assert.Equal((visibleId, "<hidden>"), ((string)shown["ID"]!, (string)shown["Token"]!));
        Assert.Equal("true", list.Header("X-Consul-Results-Filtered-By-ACLs"));

        var managed = await consul.GetAsync("/v1/query", acl.Management);
        var mine = managed.Json.AsArray().Where(q => (string)q!["ID"]! is var id && (id == visibleId || id == hiddenId || id == unnamedId)).ToList();
        Assert.Equal(3, mine.Count);
        Assert.Equal(queryToken, (string)mine.Single(q => (string)q!["ID"]! == visibleId)!["Token"]!);

        Assert.Equal((403, "Permission denied"), Trim(await consul.GetAsync($"/v1/query/{hiddenId}", secret)));
        Assert.Equal("<hidden>", (string)(await consul.GetAsync($"/v1/query/{visibleId}", secret)).Json[0]!["Token"]!);
        var unnamed = await consul.GetAsync($"/v1/query/{unnamedId}", secret);
        Assert.Equal((200, "<hidden>"), (unnamed.Status, (string)unnamed.Json[0]!["Token"]!));

        Assert.Equal("<hidden>", (string)(await consul.GetAsync($"/v1/query/{visible}/explain", secret)).Json["Query"]!["Token"]!);
        Assert.Equal((403, "Permission denied"), Trim(await consul.GetAsync($"/v1/query/{hidden}/explain", secret)));
        Assert.Equal((403, "Permission denied"), Trim(await consul.GetAsync($"/v1/query/{unnamedId}/explain", secret)));
    }

    [Fact]
    public async Task Execute_FiltersInstancesWithTheQuerysOwnToken_ElseTheCallers()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        var web = consul.Name("web");
        var registered = await consul.PutAsync("/v1/agent/service/register", $$"""{"Name":"{{web}}","Port":8080}""", acl.Management);
        Assert.Equal(200, registered.Status);
        acl.DeleteAfterwards($"/v1/agent/service/deregister/{web}");
        await acl.CreatePolicyAsync(consul.Name("web-read"), $$"""
            service "{{web}}" { policy = "read" }
            node_prefix "" { policy = "read" }
            query_prefix "{{consul.Prefix}}" { policy = "read" }
            """);
        var (_, reader) = await acl.CreateTokenAsync(consul.Name("web-read"));
        var (_, blind) = await acl.CreateTokenAsync(new JsonObject { ["Description"] = "reads nothing" });

        var open = await CreateAsync(acl, new JsonObject { ["Name"] = consul.Name("open"), ["Service"] = new JsonObject { ["Service"] = web } });
        var pinned = await CreateAsync(acl, new JsonObject { ["Name"] = consul.Name("pinned"), ["Token"] = blind, ["Service"] = new JsonObject { ["Service"] = web } });

        Assert.Single((await consul.GetAsync($"/v1/query/{open}/execute", reader)).Json["Nodes"]!.AsArray());
        var filtered = await consul.GetAsync($"/v1/query/{open}/execute", blind);
        Assert.Equal(200, filtered.Status);
        Assert.Empty(filtered.Json["Nodes"]!.AsArray());
        Assert.Equal("true", filtered.Header("X-Consul-Results-Filtered-By-ACLs"));

        // The stored token wins over the caller's, even the management token.
        Assert.Empty((await consul.GetAsync($"/v1/query/{pinned}/execute", acl.Management)).Json["Nodes"]!.AsArray());
    }

    private static async Task<string> CreateAsync(AclSystemTarget acl, JsonObject query)
    {
        var created = await acl.Consul.SendAsync(HttpMethod.Post, "/v1/query", query.ToJsonString(), acl.Management);
        Assert.True(created.Status == 200, created.Text);
        var id = (string)created.Json["ID"]!;
        acl.DeleteAfterwards($"/v1/query/{id}");
        return id;
    }

    private static (int, string) Trim(Reply reply) => (reply.Status, reply.Text.Trim());
}
