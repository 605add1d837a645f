// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md, Intentions and ACLs: the <c>intentions</c> level of <c>service</c> rules governs every
/// intention endpoint and the <c>service-intentions</c> config entries (agent/consul/intention_endpoint.go,
/// agent/structs/intention.go <c>CanRead</c>/<c>CanWrite</c>).
/// </summary>
public sealed class IntentionAclConformanceTests
{
    [Fact]
    public async Task IntentionRules_FilterListsAndRefuseReadsAndWrites_WithConsulsTexts()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        var (web, db, other, elsewhere) = (consul.Name("web"), consul.Name("db"), consul.Name("other"), consul.Name("elsewhere"));
        foreach (var (source, destination) in new[] { (web, db), (other, elsewhere) })
        {
            var created = await consul.PutAsync($"/v1/connect/intentions/exact?source={source}&destination={destination}", """{"Action":"allow"}""", acl.Management);
            Assert.True(created.Status == 200, created.Text);
            acl.DeleteAfterwards($"/v1/config/service-intentions/{destination}");
        }

        await acl.CreatePolicyAsync(consul.Name("ixn"), $$"""
            service "{{web}}" { policy = "read" }
            service "{{db}}" { policy = "read" intentions = "write" }
            """);
        var (accessor, secret) = await acl.CreateTokenAsync(consul.Name("ixn"));

        var list = await consul.GetAsync("/v1/connect/intentions", secret);
        Assert.Equal(200, list.Status);
        Assert.Equal([(web, db)], list.Json.AsArray().Select(i => ((string)i!["SourceName"]!, (string)i["DestinationName"]!)));
        Assert.Equal("true", list.Header("X-Consul-Results-Filtered-By-ACLs"));
        var all = await consul.GetAsync("/v1/connect/intentions", acl.Management);
        Assert.Contains(all.Json.AsArray(), i => (string)i!["SourceName"]! == other && (string)i["DestinationName"]! == elsewhere);
        Assert.Null(all.Header("X-Consul-Results-Filtered-By-ACLs"));

        Assert.Equal(200, (await consul.GetAsync($"/v1/connect/intentions/exact?source={web}&destination={db}", secret)).Status);
        Assert.Equal((403, "Permission denied"), Trim(await consul.GetAsync($"/v1/connect/intentions/exact?source={other}&destination={elsewhere}", secret)));
        Assert.Equal((404, "Intention not found"), Trim(await consul.GetAsync($"/v1/connect/intentions/exact?source={elsewhere}&destination={db}", secret)));

        Assert.Equal((403, "Permission denied"), Trim(await consul.PutAsync($"/v1/connect/intentions/exact?source={db}&destination={web}", """{"Action":"deny"}""", secret)));
        Assert.Equal((403, "Permission denied"), Trim(await consul.DeleteAsync($"/v1/connect/intentions/exact?source={other}&destination={elsewhere}", secret)));
        Assert.Equal((200, "true"), Trim(await consul.PutAsync($"/v1/connect/intentions/exact?source={other}&destination={db}", """{"Action":"deny"}""", secret)));

        Assert.Equal((403, $"Permission denied: token with AccessorID '{accessor}' lacks permission 'intention:read' on \"{elsewhere}\""),
            Trim(await consul.GetAsync($"/v1/connect/intentions/match?by=destination&name={db}&name={elsewhere}", secret)));
        Assert.Equal(2, (await consul.GetAsync($"/v1/connect/intentions/match?by=destination&name={db}", secret)).Json[db]!.AsArray().Count);

        Assert.Equal((403, $"Permission denied: token with AccessorID '{accessor}' lacks permission 'intention:read' on \"{elsewhere}\""),
            Trim(await consul.GetAsync($"/v1/config/service-intentions/{elsewhere}", secret)));
        var entries = await consul.GetAsync("/v1/config/service-intentions", secret);
        Assert.Equal([db], entries.Json.AsArray().Select(e => (string)e!["Name"]!).Where(n => n.StartsWith(consul.Prefix, StringComparison.Ordinal)));
        Assert.Equal("true", entries.Header("X-Consul-Results-Filtered-By-ACLs"));
        var entry = new JsonObject { ["Kind"] = "service-intentions", ["Name"] = elsewhere, ["Sources"] = new JsonArray(new JsonObject { ["Name"] = web, ["Action"] = "deny" }) };
        Assert.Equal((403, $"Permission denied: token with AccessorID '{accessor}' lacks permission 'intention:write' on \"{elsewhere}\""),
            Trim(await consul.PutAsync("/v1/config", entry.ToJsonString(), secret)));
        Assert.Equal((403, $"Permission denied: token with AccessorID '{accessor}' lacks permission 'intention:write' on \"{elsewhere}\""),
            Trim(await consul.DeleteAsync($"/v1/config/service-intentions/{elsewhere}", secret)));

        // Check needs only service:read on the destination.
        Assert.Equal(200, (await consul.GetAsync($"/v1/connect/intentions/check?source={other}&destination={db}", secret)).Status);
        Assert.StartsWith($"Permission denied: token with AccessorID '{accessor}' lacks permission 'service:read' on \"{elsewhere}\"",
            (await consul.GetAsync($"/v1/connect/intentions/check?source={other}&destination={elsewhere}", secret)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LegacyIntentions_ById_NeedWriteOnTheDestination_AndReadOnEitherEnd()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        var (web, db) = (consul.Name("web"), consul.Name("db"));
        var created = await consul.SendAsync(HttpMethod.Post, "/v1/connect/intentions", $$"""{"SourceName":"{{web}}","DestinationName":"{{db}}","Action":"allow"}""", acl.Management);
        Assert.True(created.Status == 200, created.Text);
        var id = (string)created.Json["ID"]!;
        acl.DeleteAfterwards($"/v1/config/service-intentions/{db}");

        await acl.CreatePolicyAsync(consul.Name("src"), $$"""service "{{web}}" { policy = "write" }""");
        var (_, source) = await acl.CreateTokenAsync(consul.Name("src"));

        Assert.Equal(200, (await consul.GetAsync($"/v1/connect/intentions/{id}", source)).Status);
        Assert.Equal((403, "Permission denied"), Trim(await consul.PutAsync($"/v1/connect/intentions/{id}", $$"""{"SourceName":"{{web}}","DestinationName":"{{db}}","Action":"deny"}""", source)));
        Assert.Equal((403, "Permission denied"), Trim(await consul.DeleteAsync($"/v1/connect/intentions/{id}", source)));
        Assert.Equal((403, "Permission denied"),
            Trim(await consul.SendAsync(HttpMethod.Post, "/v1/connect/intentions", $$"""{"SourceName":"{{db}}","DestinationName":"{{consul.Name("x")}}","Action":"allow"}""", source)));

        var (_, nobody) = await acl.CreateTokenAsync(new JsonObject { ["Description"] = "no policies" });
        Assert.Equal((403, "Permission denied"), Trim(await consul.GetAsync($"/v1/connect/intentions/{id}", nobody)));
        Assert.Equal("[]", (await consul.GetAsync("/v1/connect/intentions", nobody)).Text.Trim());
    }

    private static (int, string) Trim(Reply reply) => (reply.Status, reply.Text.Trim());
}
