// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md §27: <c>PUT /v1/config</c> decodes the entry with <c>mapstructure</c> and refuses every key
/// no field of the kind's struct takes, nested ones included, with go-multierror's text in a 400; snake-case aliases
/// and any case of a field's name are taken and stored under the field's name; free-form maps (<c>Meta</c>) are not
/// checked. Every entry written is deleted again.
/// </summary>
public sealed class ConfigEntryKeysConformanceTests
{
    private const string Prefix = "Request decoding failed: ";

    [Theory]
    [InlineData("service-defaults", "\"Bogus\":1", "invalid config key \"Bogus\"")]
    [InlineData("service-defaults", "\"UpstreamConfig\":{\"Defaults\":{\"ConnectTimeoutMs\":5,\"Bogus\":1}}", "invalid config key \"UpstreamConfig.Defaults.Bogus\"")]
    [InlineData("service-defaults", "\"Expose\":{\"Paths\":[{\"Path\":\"/h\"},{\"Bogus\":1}]}", "invalid config key \"Expose.Paths[1].Bogus\"")]
    [InlineData("service-defaults", "\"Namespace\":\"ns1\"", "invalid config key \"Namespace\", namespaces are a consul enterprise feature")]
    [InlineData("service-defaults", "\"Partition\":\"p1\"", "invalid config key \"Partition\"")]
    [InlineData("proxy-defaults", "\"AccessLogs\":{\"Enabled\":true,\"Bogus\":1}", "invalid config key \"AccessLogs.Bogus\"")]
    [InlineData("ingress-gateway", "\"Listeners\":[{\"Port\":8080,\"Protocol\":\"tcp\",\"Services\":[{\"Name\":\"web\",\"Bogus\":1}]}]", "invalid config key \"Listeners[0].Services[0].Bogus\"")]
    [InlineData("terminating-gateway", "\"Services\":[{\"Name\":\"web\",\"Bogus\":1}]", "invalid config key \"Services[0].Bogus\"")]
    [InlineData("service-intentions", "\"Sources\":[{\"Name\":\"web\",\"Action\":\"allow\",\"Bogus\":1}]", "invalid config key \"Sources[0].Bogus\"")]
    public async Task OneUnknownKey_Is400_NamingItsPath(string kind, string fields, string error)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = kind == "proxy-defaults" ? "global" : consul.Name("cfg");

        var reply = await consul.PutAsync("/v1/config", $$"""{"Kind":"{{kind}}","Name":"{{name}}",{{fields}}}""");

        Assert.Equal((400, $"{Prefix}1 error occurred:\n\t* {error}\n\n"), (reply.Status, reply.Text));
        if (kind != "proxy-defaults")
        {
            Assert.Equal(404, (await consul.GetAsync($"/v1/config/{kind}/{name}")).Status);
        }
    }

    [Fact]
    public async Task SeveralUnknownKeys_AreOneErrorEach_NestedBeforeTheirParentsOwn()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var body = $$"""{"Kind":"service-defaults","Name":"{{consul.Name("cfg")}}","Zeta":1,"MeshGateway":{"Mode":"local","Inner":2},"Alpha":3}""";

        var reply = await consul.PutAsync("/v1/config", body);

        Assert.Equal(400, reply.Status);
        var lines = reply.Text.Split('\n');
        Assert.Equal($"{Prefix}3 errors occurred:", lines[0]);

        // Consul collects one object's own unknown keys from a Go map, so their order varies; a nested object's come first.
        Assert.Equal("\t* invalid config key \"MeshGateway.Inner\"", lines[1]);
        Assert.Equal(["\t* invalid config key \"Alpha\"", "\t* invalid config key \"Zeta\""], lines[2..4].Order(StringComparer.Ordinal));
        Assert.Equal(["", ""], lines[4..]);
    }

    [Fact]
    public async Task AliasesAndAnyCase_AreTaken_AndStoredUnderTheFieldsName_MetaIsFreeForm()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("cfg");
        var body = $$$$"""
            {"kind":"service-defaults","name":"{{{{name}}}}","PROTOCOL":"http","mesh_gateway":{"mode":"local"},
             "upstream_config":{"defaults":{"connect_timeout_ms":500,"passive_health_check":{"max_failures":3}}},
             "Meta":{"any-key":"v","Bogus":"x"},"CreateIndex":1,"ModifyIndex":2}
            """;
        try
        {
            var put = await consul.PutAsync("/v1/config", body);
            Assert.Equal((200, "true"), (put.Status, put.Text.Trim()));

            var read = (await consul.GetAsync($"/v1/config/service-defaults/{name}")).Json;
            Assert.Equal("http", read["Protocol"]!.GetValue<string>());
            Assert.Equal("local", read["MeshGateway"]!["Mode"]!.GetValue<string>());
            var defaults = read["UpstreamConfig"]!["Defaults"]!;
            Assert.Equal((500, 3), (defaults["ConnectTimeoutMs"]!.GetValue<int>(), defaults["PassiveHealthCheck"]!["MaxFailures"]!.GetValue<int>()));
            Assert.Equal("x", read["Meta"]!["Bogus"]!.GetValue<string>());
        }
        finally
        {
            await consul.DeleteAsync($"/v1/config/service-defaults/{name}");
        }
    }

    [Fact]
    public async Task ProxyDefaults_WithoutAName_IsGlobal()
    {
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions(), "writes the one proxy-defaults entry a shared Consul may rely on");

        var put = await consul.PutAsync("/v1/config", """{"Kind":"proxy-defaults","Config":{"protocol":"http"}}""");

        Assert.Equal((200, "true"), (put.Status, put.Text.Trim()));
        var read = await consul.GetAsync("/v1/config/proxy-defaults/global");
        Assert.Equal(("global", "http"), (read.Json["Name"]!.GetValue<string>(), read.Json["Config"]!["protocol"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Mesh_HasNoNameField_AndIsNamedMesh()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var named = await consul.PutAsync("/v1/config", """{"Kind":"mesh","Name":"mesh"}""");
        Assert.Equal((400, $"{Prefix}1 error occurred:\n\t* invalid config key \"Name\"\n\n"), (named.Status, named.Text));

        try
        {
            var put = await consul.PutAsync("/v1/config", """{"Kind":"mesh","transparent_proxy":{"mesh_destinations_only":false}}""");
            Assert.Equal((200, "true"), (put.Status, put.Text.Trim()));
            var read = await consul.GetAsync("/v1/config/mesh/mesh");
            Assert.Equal(200, read.Status);
            Assert.False(read.Json["TransparentProxy"]!["MeshDestinationsOnly"]!.GetValue<bool>());
        }
        finally
        {
            await consul.DeleteAsync("/v1/config/mesh/mesh");
        }
    }
}
