// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md, Connect: intentions as <c>service-intentions</c> config entries and their legacy view, the
/// precedence table, and the decisions authorize and check take from them. Every destination written is deleted again.
/// </summary>
public sealed class IntentionConformanceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task LegacyCreate_IsSeenByEveryViewAndDecidesAuthorize()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (web, db) = (consul.Name("web"), consul.Name("db"));
        try
        {
            var created = await consul.SendAsync(HttpMethod.Post, "/v1/connect/intentions", $$"""{"SourceName":"{{web}}","DestinationName":"{{db}}","Action":"deny","Description":"no"}""");
            Assert.Equal(200, created.Status);
            var id = created.Json["ID"]!.GetValue<string>();
            Assert.True(Guid.TryParse(id, out _));

            var listed = Assert.Single((await consul.GetAsync("/v1/connect/intentions")).Json.AsArray(), i => i!["DestinationName"]!.GetValue<string>() == db)!;
            Assert.Equal((id, web, "deny", 9, "consul", "no"), (listed["ID"]!.GetValue<string>(), listed["SourceName"]!.GetValue<string>(),
                listed["Action"]!.GetValue<string>(), listed["Precedence"]!.GetValue<int>(), listed["SourceType"]!.GetValue<string>(), listed["Description"]!.GetValue<string>()));
            Assert.Equal(id, (await consul.GetAsync($"/v1/connect/intentions/{id}")).Json["ID"]!.GetValue<string>());
            Assert.Equal(id, (await consul.GetAsync($"/v1/connect/intentions/exact?source={web}&destination={db}")).Json["ID"]!.GetValue<string>());

            var entry = (await consul.GetAsync($"/v1/config/service-intentions/{db}")).Json;
            var source = Assert.Single(entry["Sources"]!.AsArray())!;
            Assert.Equal((web, "deny", id, 9, "consul"), (source["Name"]!.GetValue<string>(), source["Action"]!.GetValue<string>(),
                source["LegacyID"]!.GetValue<string>(), source["Precedence"]!.GetValue<int>(), source["Type"]!.GetValue<string>()));

            var decision = await ConnectAuthorizeConformanceTests.AuthorizeAsync(consul, db, $"spiffe://x.consul/ns/default/dc/dc1/svc/{web}");
            Assert.False(decision.Json["Authorized"]!.GetValue<bool>());
            Assert.Equal($"Matched L4 intention: default/{web} => default/{db} (ID: {id}, Precedence: 9, Action: DENY)", decision.Json["Reason"]!.GetValue<string>());
            Assert.False((await consul.GetAsync($"/v1/connect/intentions/check?source={web}&destination={db}")).Json["Allowed"]!.GetValue<bool>());

            var duplicate = await consul.SendAsync(HttpMethod.Post, "/v1/connect/intentions", $$"""{"SourceName":"{{web}}","DestinationName":"{{db}}","Action":"allow"}""");
            Assert.Equal(500, duplicate.Status);
            Assert.StartsWith($"duplicate intention found: default/{web} => default/{db}", duplicate.Text, StringComparison.Ordinal);

            var updated = await consul.PutAsync($"/v1/connect/intentions/{id}", $$"""{"SourceName":"{{web}}","DestinationName":"{{db}}","Action":"allow"}""");
            Assert.Equal(200, updated.Status);
            Assert.True((await ConnectAuthorizeConformanceTests.AuthorizeAsync(consul, db, $"spiffe://x.consul/ns/default/dc/dc1/svc/{web}")).Json["Authorized"]!.GetValue<bool>());

            Assert.Equal((200, "true"), Trim(await consul.DeleteAsync($"/v1/connect/intentions/{id}")));
            Assert.Equal((404, "Intention not found"), Trim(await consul.GetAsync($"/v1/connect/intentions/{id}")));
            Assert.Equal(404, (await consul.GetAsync($"/v1/config/service-intentions/{db}")).Status);
        }
        finally
        {
            await consul.DeleteAsync($"/v1/config/service-intentions/{db}");
        }
    }

    [Fact]
    public async Task LegacyUpdate_KeepsTheDestination_AndMayRenameTheSourceInPlace()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (web, api, db, other) = (consul.Name("web"), consul.Name("api"), consul.Name("db"), consul.Name("other"));
        try
        {
            var first = (await consul.SendAsync(HttpMethod.Post, "/v1/connect/intentions", $$"""{"SourceName":"{{web}}","DestinationName":"{{db}}","Action":"deny"}""")).Json["ID"]!.GetValue<string>();
            var second = (await consul.SendAsync(HttpMethod.Post, "/v1/connect/intentions", $$"""{"SourceName":"{{other}}","DestinationName":"{{db}}","Action":"deny"}""")).Json["ID"]!.GetValue<string>();
            var createIndex = (await consul.GetAsync($"/v1/config/service-intentions/{db}")).Json["CreateIndex"]!.GetValue<ulong>();

            // A new destination (or the same name in another case) is refused before the body is validated.
            foreach (var destination in new[] { consul.Name("db2"), db.ToUpperInvariant() })
            {
                var moved = await consul.PutAsync($"/v1/connect/intentions/{first}", $$"""{"SourceName":"{{web}}","DestinationName":"{{destination}}","Action":"maybe"}""");
                Assert.Equal((500, "Cannot modify Destination partition/namespace/name for an intention once it exists."), Trim(moved));
            }

            Assert.Equal(db, (await consul.GetAsync($"/v1/connect/intentions/{first}")).Json["DestinationName"]!.GetValue<string>());

            // A new source is allowed: the source is replaced where it stood and the entry is the same entry.
            Assert.Equal(200, (await consul.PutAsync($"/v1/connect/intentions/{first}", $$"""{"SourceName":"{{api}}","DestinationName":"{{db}}","Action":"allow"}""")).Status);
            var entry = (await consul.GetAsync($"/v1/config/service-intentions/{db}")).Json;
            Assert.Equal(createIndex, entry["CreateIndex"]!.GetValue<ulong>());
            var sources = entry["Sources"]!.AsArray().Select(s => (s!["LegacyID"]!.GetValue<string>(), s["Name"]!.GetValue<string>(), s["Action"]!.GetValue<string>()));
            Assert.Equal([(first, api, "allow"), (second, other, "deny")], sources);
        }
        finally
        {
            await consul.DeleteAsync($"/v1/config/service-intentions/{db}");
        }
    }

    [Fact]
    public async Task LegacyUpdate_OfAnUnknownId_IsRefusedBeforeTheBodyIsValidated()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var unknown = Guid.NewGuid().ToString();
        var reply = await consul.PutAsync($"/v1/connect/intentions/{unknown}", $$"""{"SourceName":"{{consul.Name("web")}}","DestinationName":"{{consul.Name("db")}}","Action":"maybe"}""");
        Assert.Equal((500, $"Cannot modify non-existent intention: '{unknown}'"), Trim(reply));
    }

    [Fact]
    public async Task LegacyErrors_HaveConsulsTexts()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (web, db) = (consul.Name("web"), consul.Name("db"));
        var withId = await consul.SendAsync(HttpMethod.Post, "/v1/connect/intentions", $$"""{"ID":"{{Guid.NewGuid()}}","SourceName":"{{web}}","DestinationName":"{{db}}","Action":"deny"}""");
        Assert.Equal((500, "ID must be empty when creating a new intention"), Trim(withId));
        var unknown = Guid.NewGuid().ToString();
        Assert.Equal((500, $"Cannot modify non-existent intention: '{unknown}'"), Trim(await consul.PutAsync($"/v1/connect/intentions/{unknown}", $$"""{"SourceName":"{{web}}","DestinationName":"{{db}}","Action":"deny"}""")));
        Assert.Equal((500, $"Cannot delete non-existent intention: '{unknown}'"), Trim(await consul.DeleteAsync($"/v1/connect/intentions/{unknown}")));
        Assert.Equal((500, "required query parameter 'source' not set"), Trim(await consul.GetAsync($"/v1/connect/intentions/exact?destination={db}")));
        Assert.Equal((500, "required query parameter 'destination' not set"), Trim(await consul.GetAsync($"/v1/connect/intentions/check?source={web}")));
        Assert.Equal((404, "Intention not found"), Trim(await consul.GetAsync($"/v1/connect/intentions/exact?source={web}&destination={db}")));
        var decode = await consul.SendAsync(HttpMethod.Post, "/v1/connect/intentions", """{"Bogus":1}""");
        Assert.Equal((400, "Request decode failed: json: unknown field \"Bogus\""), Trim(decode));
    }

    [Fact]
    public async Task ConfigEntry_IsSeenByTheLegacyViewAndAuthorize_AndLocksOutLegacyWrites()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (web, api, db) = (consul.Name("web"), consul.Name("api"), consul.Name("db"));
        try
        {
            Assert.Equal(200, (await consul.PutAsync("/v1/config", $$$"""{"Kind":"service-defaults","Name":"{{{db}}}","Protocol":"http"}""")).Status);
            var put = await consul.PutAsync("/v1/config", $$$"""
                {"Kind":"service-intentions","Name":"{{{db}}}","Sources":[
                  {"Name":"*","Action":"deny"},
                  {"Name":"{{{web}}}","Action":"allow"},
                  {"Name":"{{{api}}}","Permissions":[{"Action":"allow","HTTP":{"PathPrefix":"/read"}}]}]}
                """);
            Assert.Equal((200, "true"), Trim(put));

            var entry = (await consul.GetAsync($"/v1/config/service-intentions/{db}")).Json;
            Assert.Equal([9, 9, 8], entry["Sources"]!.AsArray().Select(s => s!["Precedence"]!.GetValue<int>()));
            var legacy = (await consul.GetAsync($"/v1/connect/intentions/match?by=destination&name={db}")).Json[db]!.AsArray();
            Assert.Equal(3, legacy.Count);
            Assert.All(legacy, i => Assert.Null(i!["ID"]));
            Assert.Equal("*", legacy[2]!["SourceName"]!.GetValue<string>());

            var allowed = await ConnectAuthorizeConformanceTests.AuthorizeAsync(consul, db, $"spiffe://x.consul/ns/default/dc/dc1/svc/{web}");
            Assert.Equal((true, $"Matched L4 intention: default/{web} => default/{db} (Precedence: 9, Action: ALLOW)"),
                (allowed.Json["Authorized"]!.GetValue<bool>(), allowed.Json["Reason"]!.GetValue<string>()));
            var l7 = await ConnectAuthorizeConformanceTests.AuthorizeAsync(consul, db, $"spiffe://x.consul/ns/default/dc/dc1/svc/{api}");
            Assert.False(l7.Json["Authorized"]!.GetValue<bool>());
            Assert.StartsWith($"Matched L7 intention: default/{api} => default/{db}", l7.Json["Reason"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.False((await consul.GetAsync($"/v1/connect/intentions/check?source={api}&destination={db}")).Json["Allowed"]!.GetValue<bool>());
            var other = await ConnectAuthorizeConformanceTests.AuthorizeAsync(consul, db, $"spiffe://x.consul/ns/default/dc/dc1/svc/{consul.Name("other")}");
            Assert.Equal((false, $"Matched L4 intention: default/* => default/{db} (Precedence: 8, Action: DENY)"),
                (other.Json["Authorized"]!.GetValue<bool>(), other.Json["Reason"]!.GetValue<string>()));

            var locked = await consul.SendAsync(HttpMethod.Post, "/v1/connect/intentions", $$"""{"SourceName":"{{consul.Name("x")}}","DestinationName":"{{db}}","Action":"deny"}""");
            Assert.Equal((500, $"cannot use legacy intention API to edit intentions with a destination of \"{db}\" after editing them via a service-intentions config entry"), Trim(locked));

            // An upsert by name is not a legacy write: it edits the entry.
            Assert.Equal((200, "true"), Trim(await consul.PutAsync($"/v1/connect/intentions/exact?source={web}&destination={db}", """{"Action":"deny"}""")));
            var sources = (await consul.GetAsync($"/v1/config/service-intentions/{db}")).Json["Sources"]!.AsArray();
            Assert.Equal("deny", sources.Single(s => s!["Name"]!.GetValue<string>() == web)!["Action"]!.GetValue<string>());
            Assert.Equal((200, "true"), Trim(await consul.DeleteAsync($"/v1/connect/intentions/exact?source={web}&destination={db}")));
            Assert.Equal(2, (await consul.GetAsync($"/v1/config/service-intentions/{db}")).Json["Sources"]!.AsArray().Count);
        }
        finally
        {
            await consul.DeleteAsync($"/v1/config/service-intentions/{db}");
            await consul.DeleteAsync($"/v1/config/service-defaults/{db}");
        }
    }

    [Fact]
    public async Task Precedence_FollowsConsulsTable()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (web, db) = (consul.Name("web"), consul.Name("db"));
        var pairs = new[] { (web, db, "deny"), ("*", db, "allow"), (web, "*", "deny"), ("*", "*", "allow") };
        try
        {
            foreach (var (source, destination, action) in pairs)
            {
                Assert.Equal((200, "true"), Trim(await consul.PutAsync($"/v1/connect/intentions/exact?source={source}&destination={destination}", $$"""{"Action":"{{action}}"}""")));
            }

            var match = (await consul.GetAsync($"/v1/connect/intentions/match?by=destination&name={db}")).Json[db]!.AsArray()
                .Where(i => i!["SourceName"]!.GetValue<string>() is var s && (s == web || s == "*"))
                .Select(i => (i!["SourceName"]!.GetValue<string>(), i["DestinationName"]!.GetValue<string>(), i["Precedence"]!.GetValue<int>()));
            Assert.Equal([(web, db, 9), ("*", db, 8), (web, "*", 6), ("*", "*", 5)], match);

            var bySource = (await consul.GetAsync($"/v1/connect/intentions/match?by=source&name={web}")).Json[web]!.AsArray()
                .Select(i => i!["Precedence"]!.GetValue<int>()).Where(p => p is 9 or 6 or 5).ToList();
            Assert.Equal([9, 6, 5], bySource.Distinct());

            async Task<(bool, string)> DecideAsync(string source, string destination)
            {
                var reply = await ConnectAuthorizeConformanceTests.AuthorizeAsync(consul, destination, $"spiffe://x.consul/ns/default/dc/dc1/svc/{source}");
                return (reply.Json["Authorized"]!.GetValue<bool>(), reply.Json["Reason"]!.GetValue<string>());
            }

            Assert.Equal((false, $"Matched L4 intention: default/{web} => default/{db} (Precedence: 9, Action: DENY)"), await DecideAsync(web, db));
            Assert.Equal((true, $"Matched L4 intention: default/* => default/{db} (Precedence: 8, Action: ALLOW)"), await DecideAsync(consul.Name("x"), db));
            Assert.Equal((false, $"Matched L4 intention: default/{web} => default/* (Precedence: 6, Action: DENY)"), await DecideAsync(web, consul.Name("y")));
            Assert.Equal((true, "Matched L4 intention: default/* => default/* (Precedence: 5, Action: ALLOW)"), await DecideAsync(consul.Name("x"), consul.Name("y")));
        }
        finally
        {
            foreach (var (source, destination, _) in pairs)
            {
                await consul.DeleteAsync($"/v1/connect/intentions/exact?source={source}&destination={destination}");
            }
        }
    }

    [Fact]
    public async Task List_BlocksUntilAnIntentionIsWritten()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (web, db) = (consul.Name("web"), consul.Name("db"));
        try
        {
            var first = await consul.GetAsync("/v1/connect/intentions");
            var blocked = consul.GetAsync($"/v1/connect/intentions?index={first.Index}&wait=30s");
            if (consul.Agent is { } agent)
            {
                await agent.WaitUntilAsync(a => a.Store.BlockedQueries == 1, Deadline, TestContext.Current.CancellationToken);
                Assert.False(blocked.IsCompleted);
            }

            await consul.PutAsync($"/v1/connect/intentions/exact?source={web}&destination={db}", """{"Action":"deny"}""");
            var reply = await blocked.WaitAsync(Deadline, TestContext.Current.CancellationToken);
            Assert.True(reply.Index > first.Index);
            Assert.Contains(reply.Json.AsArray(), i => i!["DestinationName"]!.GetValue<string>() == db);
        }
        finally
        {
            await consul.DeleteAsync($"/v1/config/service-intentions/{db}");
        }
    }

    [Theory]
    [InlineData("""[{"Name":"we*b","Action":"deny"}]""", "wildcard character '*' cannot be used with partial values")]
    [InlineData("""[{"Name":"web"}]""", "Sources[0].Action must be set to 'allow' or 'deny'")]
    [InlineData("""[{"Name":"web","Action":"deny"},{"Name":"web","Action":"allow"}]""", "Sources[1] defines \"web\" more than once")]
    [InlineData("""[{"Name":"web","Action":"deny","LegacyID":"x"}]""", "Sources[0].LegacyID must be omitted")]
    [InlineData("""[{"Action":"deny"}]""", "Sources[0].Name is required")]
    public async Task ConfigEntry_ValidationErrors(string sources, string text)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync("/v1/config", $$$"""{"Kind":"service-intentions","Name":"{{{consul.Name("db")}}}","Sources":{{{sources}}}}""");
        Assert.Equal(500, reply.Status);
        Assert.Contains(text, reply.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectDisabled_IntentionWritesAnswerConsuls500()
    {
        var options = new ConsulTestAgentOptions { NodeName = "node1" };
        options.Connect.Enabled = false;
        await using var consul = await ConsulTarget.StartAgentAsync(options, "a real Consul's connect.enabled is fixed at start");
        var reply = await consul.SendAsync(HttpMethod.Post, "/v1/connect/intentions", """{"SourceName":"web","DestinationName":"db","Action":"deny"}""");
        Assert.Equal((500, "Connect must be enabled in order to use this endpoint"), Trim(reply));
        Assert.Equal(200, (await consul.GetAsync("/v1/connect/intentions")).Status);
    }

    private static (int, string) Trim(Reply reply) => (reply.Status, reply.Text.Trim());
}
