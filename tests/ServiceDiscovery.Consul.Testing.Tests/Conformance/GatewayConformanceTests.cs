// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md, Gateways: <c>ingress-gateway</c> and <c>terminating-gateway</c> config entries, the
/// gateway-services table they make (<c>/v1/catalog/gateway-services/:gateway</c>) and <c>/v1/health/ingress/:service</c>.
/// Every entry written is deleted again, so the tests also run against a shared real Consul.
/// </summary>
public sealed class GatewayConformanceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TerminatingGateway_LinksItsServices_WithTheirTlsFields_AndBlocksUntilALinkedServiceRegisters()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (gateway, api, db) = (consul.Name("tgw"), consul.Name("api"), consul.Name("db"));
        await consul.RegisterAsync($$"""{"Name":"{{api}}","Port":8080}""");
        try
        {
            var applied = await consul.PutAsync("/v1/config", new JsonObject
            {
                ["Kind"] = "terminating-gateway",
                ["Name"] = gateway,
                ["Services"] = new JsonArray(
                    new JsonObject { ["Name"] = api, ["CAFile"] = "/etc/ca.pem", ["CertFile"] = "/etc/api.pem", ["KeyFile"] = "/etc/api.key", ["SNI"] = "api.example" },
                    new JsonObject { ["Name"] = db }),
            }.ToJsonString());
            Assert.Equal((200, "true"), (applied.Status, applied.Text.Trim()));

            var first = await consul.GetAsync($"/v1/catalog/gateway-services/{gateway}");
            Assert.Equal(200, first.Status);
            var rows = first.Json.AsArray();
            Assert.Equal([api, db], rows.Select(r => (string)r!["Service"]!["Name"]!));
            var apiRow = rows[0]!.AsObject();
            Assert.Equal(gateway, (string)apiRow["Gateway"]!["Name"]!);
            Assert.Equal(("terminating-gateway", "/etc/ca.pem", "/etc/api.pem", "/etc/api.key", "api.example", "service"),
                ((string)apiRow["GatewayKind"]!, (string)apiRow["CAFile"]!, (string)apiRow["CertFile"]!, (string)apiRow["KeyFile"]!, (string)apiRow["SNI"]!, (string)apiRow["ServiceKind"]!));
            Assert.False(apiRow.ContainsKey("Port"));
            Assert.False(apiRow.ContainsKey("FromWildcard"));
            Assert.False(rows[1]!.AsObject().ContainsKey("ServiceKind"));
            Assert.True(apiRow["ModifyIndex"]!.GetValue<ulong>() <= first.Index);

            var blocked = consul.GetAsync($"/v1/catalog/gateway-services/{gateway}?index={first.Index}&wait=30s");
            await consul.RegisterAsync($$"""{"Name":"{{db}}","Port":5432}""");
            var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.True(woken.Index > first.Index, $"index {woken.Index} after {first.Index}");
            Assert.Equal("service", (string)woken.Json.AsArray()[1]!["ServiceKind"]!);
        }
        finally
        {
            await consul.DeleteAsync($"/v1/config/terminating-gateway/{gateway}");
        }

        var gone = await consul.GetAsync($"/v1/catalog/gateway-services/{gateway}");
        Assert.Equal((200, "[]"), (gone.Status, gone.Text.Trim()));
    }

    [Fact]
    public async Task TerminatingGatewayInstances_JoinTheServicesConnectAnswers_WhenTheEntryLinksThem()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (gateway, api) = (consul.Name("tgw"), consul.Name("api"));
        // The gateway registers first: only the entry's write can then move the index past the first answer's.
        await consul.RegisterAsync($$"""{"ID":"{{gateway}}-1","Name":"{{gateway}}","Kind":"terminating-gateway","Port":8443}""");
        await consul.RegisterAsync($$"""{"Name":"{{api}}","Port":8080}""");
        var before = await consul.GetAsync($"/v1/health/connect/{api}");
        Assert.Equal("[]", before.Text.Trim());
        try
        {
            var blocked = consul.GetAsync($"/v1/health/connect/{api}?index={before.Index}&wait=30s");
            var applied = await consul.PutAsync("/v1/config", $$"""{"Kind":"terminating-gateway","Name":"{{gateway}}","Services":[{"Name":"{{api}}"}]}""");
            Assert.Equal(200, applied.Status);
            var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.True(woken.Index > before.Index);
            Assert.Equal(gateway + "-1", (string)Assert.Single(woken.Json.AsArray())!["Service"]!["ID"]!);

            var catalog = await consul.GetAsync($"/v1/catalog/connect/{api}");
            Assert.Equal(("terminating-gateway", gateway), ((string)Assert.Single(catalog.Json.AsArray())!["ServiceKind"]!, (string)catalog.Json[0]!["ServiceName"]!));
        }
        finally
        {
            await consul.DeleteAsync($"/v1/config/terminating-gateway/{gateway}");
        }

        Assert.Equal("[]", (await consul.GetAsync($"/v1/health/connect/{api}")).Text.Trim());
    }

    [Fact]
    public async Task IngressGateway_NamedServiceWinsOverTheWildcard_AndHealthIngressAnswersTheGatewayInstances()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (gateway, web, api) = (consul.Name("igw"), consul.Name("web"), consul.Name("api"));
        await consul.RegisterAsync($$"""{"ID":"{{gateway}}-1","Name":"{{gateway}}","Kind":"ingress-gateway","Port":21000}""");
        await consul.RegisterAsync($$"""{"Name":"{{web}}","Port":8080}""");
        try
        {
            var applied = await consul.PutAsync("/v1/config", $$"""
                {"Kind":"ingress-gateway","Name":"{{gateway}}","Listeners":[
                  {"Port":8088,"Protocol":"HTTP","Services":[{"Name":"*"}]},
                  {"Port":9090,"Services":[{"Name":"{{web}}"}]}]}
                """);
            Assert.Equal((200, "true"), (applied.Status, applied.Text.Trim()));

            var entry = (await consul.GetAsync($"/v1/config/ingress-gateway/{gateway}")).Json;
            Assert.Equal(("http", "tcp", false), ((string)entry["Listeners"]![0]!["Protocol"]!, (string)entry["Listeners"]![1]!["Protocol"]!, (bool)entry["TLS"]!["Enabled"]!));

            var before = await consul.GetAsync($"/v1/catalog/gateway-services/{gateway}");
            var webRow = Assert.Single(Mine(consul, before.Json))!.AsObject();
            Assert.Equal((web, "ingress-gateway", 9090, "tcp"), ((string)webRow["Service"]!["Name"]!, (string)webRow["GatewayKind"]!, (int)webRow["Port"]!, (string)webRow["Protocol"]!));
            Assert.False(webRow.ContainsKey("FromWildcard"));
            Assert.DoesNotContain(before.Json.AsArray(), r => (string)r!["Service"]!["Name"]! is "*" or "consul");

            var blocked = consul.GetAsync($"/v1/catalog/gateway-services/{gateway}?index={before.Index}&wait=30s");
            await consul.RegisterAsync($$"""{"Name":"{{api}}","Port":8081}""");
            var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.True(woken.Index > before.Index);
            var apiRow = Mine(consul, woken.Json).Single(r => (string)r!["Service"]!["Name"]! == api)!;
            Assert.Equal((8088, "http", true), ((int)apiRow["Port"]!, (string)apiRow["Protocol"]!, (bool)apiRow["FromWildcard"]!));

            foreach (var service in (string[])[web, api])
            {
                var health = await consul.GetAsync($"/v1/health/ingress/{service}");
                Assert.Equal(200, health.Status);
                var instance = Assert.Single(health.Json.AsArray())!;
                Assert.Equal((gateway + "-1", "ingress-gateway"), ((string)instance["Service"]!["ID"]!, (string)instance["Service"]!["Kind"]!));
            }

            Assert.Equal("[]", (await consul.GetAsync($"/v1/health/ingress/{consul.Name("unlinked")}")).Text.Trim());
        }
        finally
        {
            await consul.DeleteAsync($"/v1/config/ingress-gateway/{gateway}");
        }

        Assert.Equal("[]", (await consul.GetAsync($"/v1/health/ingress/{web}")).Text.Trim());
    }

    [Fact]
    public async Task HealthIngress_BlocksUntilAGatewayEntryLinksTheService()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (gateway, web) = (consul.Name("igw"), consul.Name("web"));
        await consul.RegisterAsync($$"""{"Name":"{{gateway}}","Kind":"ingress-gateway","Port":21000}""");
        await consul.RegisterAsync($$"""{"Name":"{{web}}","Port":8080}""");
        var first = await consul.GetAsync($"/v1/health/ingress/{web}");
        Assert.Equal("[]", first.Text.Trim());
        try
        {
            var blocked = consul.GetAsync($"/v1/health/ingress/{web}?index={first.Index}&wait=30s");
            var applied = await consul.PutAsync("/v1/config", $$"""
                {"Kind":"ingress-gateway","Name":"{{gateway}}","Listeners":[{"Port":9090,"Protocol":"tcp","Services":[{"Name":"{{web}}"}]}]}
                """);
            Assert.Equal(200, applied.Status);
            var woken = await blocked.WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.True(woken.Index > first.Index);
            Assert.Equal(gateway, (string)Assert.Single(woken.Json.AsArray())!["Service"]!["Service"]!);
        }
        finally
        {
            await consul.DeleteAsync($"/v1/config/ingress-gateway/{gateway}");
        }
    }

    [Fact]
    public async Task RewritingAnEntry_KeepsItsRowsWhileItsServicesStay_AndRecreatesThemWhenTheyChange()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (gateway, a, b) = (consul.Name("tgw"), consul.Name("a"), consul.Name("b"));
        string Entry(params string[] services) => new JsonObject
        {
            ["Kind"] = "terminating-gateway",
            ["Name"] = gateway,
            ["Services"] = new JsonArray([.. services.Select(s => (JsonNode)new JsonObject { ["Name"] = s })]),
        }.ToJsonString();
        try
        {
            Assert.Equal(200, (await consul.PutAsync("/v1/config", Entry(a))).Status);
            var first = await consul.GetAsync($"/v1/catalog/gateway-services/{gateway}");
            var created = first.Json[0]!["CreateIndex"]!.GetValue<ulong>();

            Assert.Equal(200, (await consul.PutAsync("/v1/config", Entry(a))).Status);
            var same = await consul.GetAsync($"/v1/catalog/gateway-services/{gateway}");
            Assert.Equal(first.Index, same.Index);
            Assert.Equal((created, created), (same.Json[0]!["CreateIndex"]!.GetValue<ulong>(), same.Json[0]!["ModifyIndex"]!.GetValue<ulong>()));

            Assert.Equal(200, (await consul.PutAsync("/v1/config", Entry(a, b))).Status);
            var changed = await consul.GetAsync($"/v1/catalog/gateway-services/{gateway}");
            var entryIndex = (await consul.GetAsync($"/v1/config/terminating-gateway/{gateway}")).Json["ModifyIndex"]!.GetValue<ulong>();
            Assert.Equal(entryIndex, changed.Index);
            Assert.All(changed.Json.AsArray(), row => Assert.Equal((entryIndex, entryIndex), (row!["CreateIndex"]!.GetValue<ulong>(), row["ModifyIndex"]!.GetValue<ulong>())));

            Assert.Equal(200, (await consul.PutAsync("/v1/config", Entry(b))).Status);
            var shrunk = await consul.GetAsync($"/v1/catalog/gateway-services/{gateway}");
            Assert.True(shrunk.Index > changed.Index);
            Assert.Equal([b], shrunk.Json.AsArray().Select(r => (string)r!["Service"]!["Name"]!));
        }
        finally
        {
            await consul.DeleteAsync($"/v1/config/terminating-gateway/{gateway}");
        }
    }

    [Fact]
    public async Task MissingGatewayName_Is400()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/catalog/gateway-services/");
        Assert.Equal((400, "Missing gateway name"), (reply.Status, reply.Text.Trim()));
    }

    [Theory]
    [InlineData("""[{"Port":1,"Protocol":"udp","Services":[{"Name":"a"}]}]""", "protocol must be 'tcp', 'http', 'http2', or 'grpc'. 'udp' is an unsupported protocol")]
    [InlineData("""[{"Port":1,"Services":[{"Name":"a"}]},{"Port":1,"Protocol":"http","Services":[{"Name":"b"}]}]""", "port 1 declared on two listeners")]
    [InlineData("""[{"Port":2,"Protocol":"http","Services":[]}]""", "No service declared for listener with port 2")]
    [InlineData("""[{"Port":3,"Services":[{"Name":"a"},{"Name":"b"}]}]""", "Multiple services per listener are only supported for L7 protocols, 'http', 'grpc' and 'http2' (listener on port 3)")]
    [InlineData("""[{"Port":4,"Protocol":"tcp","Services":[{"Name":"*"}]}]""", "Wildcard service name is only valid for protocol = 'http' (listener on port 4)")]
    [InlineData("""[{"Port":5,"Services":[{"Name":"a","Hosts":["a.example"]}]}]""", "Associating hosts to a service is not supported for the tcp protocol (listener on port 5)")]
    [InlineData("""[{"Port":6,"Protocol":"http","Services":[{"Name":""}]}]""", "Service name cannot be blank (listener on port 6)")]
    [InlineData("""[{"Port":7,"Protocol":"http","Services":[{"Name":"*","Hosts":["a.example"]}]}]""", "Associating hosts to a wildcard service is not supported (listener on port 7)")]
    [InlineData("""[{"Port":8,"Protocol":"http","Services":[{"Name":"a"},{"Name":"a"}]}]""", "Service a cannot be added multiple times (listener on port 8)")]
    [InlineData("""[{"Port":9,"Protocol":"http","Services":[{"Name":"a","Hosts":["x.example"]},{"Name":"b","Hosts":["x.example"]}]}]""", "Hosts must be unique within a specific listener (listener on port 9)")]
    [InlineData("""[{"Port":10,"Protocol":"http","Services":[{"Name":"a","Hosts":["a.*.example"]}]}]""", "Host \"a.*.example\" is not valid, a wildcard specifier is only allowed as the leftmost label")]
    public async Task IngressGateway_InvalidListeners_AreConsulsErrors(string listeners, string error)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("igw");
        var reply = await consul.PutAsync("/v1/config", $$"""{"Kind":"ingress-gateway","Name":"{{name}}","Listeners":{{listeners}}}""");
        Assert.Equal((500, error), (reply.Status, reply.Text.Trim()));
        Assert.Equal(404, (await consul.GetAsync($"/v1/config/ingress-gateway/{name}")).Status);
    }

    [Fact]
    public async Task IngressGateway_ServiceOfAnotherProtocol_IsRefused()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (gateway, web) = (consul.Name("igw"), consul.Name("web"));
        var listener = $$"""{"Kind":"ingress-gateway","Name":"{{gateway}}","Listeners":[{"Port":8088,"Protocol":"http","Services":[{"Name":"{{web}}"}]}]}""";
        var refused = await consul.PutAsync("/v1/config", listener);
        Assert.Equal((500, $"service \"{web}\" has protocol \"tcp\", which does not match defined listener protocol \"http\""), (refused.Status, refused.Text.Trim()));

        Assert.Equal(200, (await consul.PutAsync("/v1/config", $$"""{"Kind":"service-defaults","Name":"{{web}}","Protocol":"http"}""")).Status);
        try
        {
            Assert.Equal((200, "true"), Trim(await consul.PutAsync("/v1/config", listener)));
        }
        finally
        {
            await consul.DeleteAsync($"/v1/config/ingress-gateway/{gateway}");
            await consul.DeleteAsync($"/v1/config/service-defaults/{web}");
        }
    }

    [Theory]
    [InlineData("""[{"Name":""}]""", "Service name cannot be blank.")]
    [InlineData("""[{"Name":"a"},{"Name":"a"}]""", "Service \"a\" was specified more than once within a namespace")]
    [InlineData("""[{"Name":"a","CertFile":"/c.pem"}]""", "Service \"a\" must have a CertFile, CAFile, and KeyFile specified for TLS origination")]
    public async Task TerminatingGateway_InvalidServices_AreConsulsErrors(string services, string error)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("tgw");
        var reply = await consul.PutAsync("/v1/config", $$"""{"Kind":"terminating-gateway","Name":"{{name}}","Services":{{services}}}""");
        Assert.Equal((500, error), (reply.Status, reply.Text.Trim()));
    }

    [Fact]
    public async Task Acls_GatewayRead_LinkedServicesFiltered_AndMeshWriteForTheEntry()
    {
        await using var acl = await AclSystemTarget.StartAsync();
        var consul = acl.Consul;
        var (gateway, open, hidden) = (consul.Name("tgw"), consul.Name("open"), consul.Name("hidden"));
        var entry = new JsonObject
        {
            ["Kind"] = "terminating-gateway",
            ["Name"] = gateway,
            ["Services"] = new JsonArray(new JsonObject { ["Name"] = open }, new JsonObject { ["Name"] = hidden }),
        }.ToJsonString();
        await acl.CreatePolicyAsync(consul.Name("gw-read"), $$"""
            service "{{gateway}}" { policy = "read" }
            service "{{open}}" { policy = "read" }
            """);
        var (accessor, secret) = await acl.CreateTokenAsync(consul.Name("gw-read"));

        var denied = await consul.PutAsync("/v1/config", entry, secret);
        Assert.Equal((403, $"Permission denied: token with AccessorID '{accessor}' lacks permission 'mesh:write'"), (denied.Status, denied.Text.Trim()));
        Assert.Equal(200, (await consul.PutAsync("/v1/config", entry, acl.Management)).Status);
        acl.DeleteAfterwards($"/v1/config/terminating-gateway/{gateway}");

        var services = await consul.GetAsync($"/v1/catalog/gateway-services/{gateway}", secret);
        Assert.Equal(200, services.Status);
        Assert.Equal([open], services.Json.AsArray().Select(r => (string)r!["Service"]!["Name"]!));
        Assert.Equal("true", services.Header("X-Consul-Results-Filtered-By-ACLs"));
        Assert.Equal(2, (await consul.GetAsync($"/v1/catalog/gateway-services/{gateway}", acl.Management)).Json.AsArray().Count);

        Assert.Equal(200, (await consul.GetAsync($"/v1/config/terminating-gateway/{gateway}", secret)).Status);
        var (otherAccessor, other) = await acl.CreateTokenAsync(new JsonObject { ["Description"] = "no policies" });
        var noRead = await consul.GetAsync($"/v1/catalog/gateway-services/{gateway}", other);
        Assert.Equal((403, $"Permission denied: token with AccessorID '{otherAccessor}' lacks permission 'service:read' on \"{gateway}\""), (noRead.Status, noRead.Text.Trim()));
        var entryDenied = await consul.GetAsync($"/v1/config/terminating-gateway/{gateway}", other);
        Assert.Equal((403, $"Permission denied: token with AccessorID '{otherAccessor}' lacks permission 'service:read' on \"{gateway}\""), (entryDenied.Status, entryDenied.Text.Trim()));
    }

    private static (int, string) Trim(Reply reply) => (reply.Status, reply.Text.Trim());

    /// <summary>The rows of this test's services (a real Consul's wildcard also links everyone else's).</summary>
    private static IEnumerable<JsonNode?> Mine(ConsulTarget consul, JsonNode rows) =>
        rows.AsArray().Where(r => ((string)r!["Service"]!["Name"]!).StartsWith(consul.Prefix, StringComparison.Ordinal));
}
