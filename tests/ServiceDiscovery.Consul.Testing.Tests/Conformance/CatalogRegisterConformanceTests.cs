// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §7: catalog register and deregister of external nodes.</summary>
public sealed class CatalogRegisterConformanceTests
{
    [Fact]
    public async Task Register_ExternalNodeWithServiceAndCheck_AnswersTrue_AndShowsEverywhere()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (node, svc) = (consul.Name("ext"), consul.Name("redis"));
        var reply = await consul.PutAsync("/v1/catalog/register", $$$"""
            {"Node":"{{{node}}}","Address":"10.1.2.3","TaggedAddresses":{"wan":"198.18.0.1"},"NodeMeta":{"rack":"r1"},
             "Service":{"ID":"{{{svc}}}-1","Service":"{{{svc}}}","Tags":["primary"],"Port":6379},
             "Check":{"CheckID":"{{{svc}}}-chk","Name":"redis alive","Status":"passing","ServiceID":"{{{svc}}}-1","Output":"ok"}}
            """);
        Assert.Equal(200, reply.Status);
        Assert.Equal("true", reply.Text.Trim());

        var element = (await consul.GetAsync($"/v1/catalog/service/{svc}")).Json.AsArray().Single()!;
        Assert.Equal(node, element["Node"]!.GetValue<string>());
        Assert.Equal("10.1.2.3", element["Address"]!.GetValue<string>());
        Assert.Equal("198.18.0.1", element["TaggedAddresses"]!["wan"]!.GetValue<string>());
        Assert.Equal("r1", element["NodeMeta"]!["rack"]!.GetValue<string>());
        Assert.Equal(6379, element["ServicePort"]!.GetValue<int>());
        Assert.Equal(1, element["ServiceWeights"]!["Passing"]!.GetValue<int>());

        var health = (await consul.GetAsync($"/v1/health/service/{svc}?passing")).Json.AsArray().Single()!;
        var check = health["Checks"]!.AsArray().Single()!;
        Assert.Equal("ok", check["Output"]!.GetValue<string>());
        Assert.Equal(svc, check["ServiceName"]!.GetValue<string>());
        Assert.Equal(["primary"], check["ServiceTags"]!.AsArray().Select(t => t!.GetValue<string>()));

        var services = (await consul.GetAsync("/v1/agent/services")).Json.AsObject();
        Assert.False(services.ContainsKey($"{svc}-1"));
    }

    [Fact]
    public async Task Register_Errors_AreRpcErrors()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var node = consul.Name("ext");
        var missingNode = await consul.PutAsync("/v1/catalog/register", """{"Address":"10.0.0.1"}""");
        Assert.Equal((500, "Must provide node"), (missingNode.Status, missingNode.Text));

        var missingAddress = await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{node}}}"}""");
        Assert.Equal((500, "Must provide address if SkipNodeUpdate is not set"), (missingAddress.Status, missingAddress.Text));

        var badId = await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{node}}}","Address":"10.0.0.1","ID":"nope"}""");
        Assert.Equal((500, "Bad node ID: uuid string is wrong length"), (badId.Status, badId.Text));

        var unknownService = await consul.PutAsync("/v1/catalog/register",
            $$$"""{"Node":"{{{node}}}","Address":"10.0.0.1","Check":{"CheckID":"c1","ServiceID":"ghost"}}""");
        Assert.Equal((500, "Unknown service ID 'ghost' for check ID 'c1'"), (unknownService.Status, unknownService.Text));

        var unknownField = await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{node}}}","Address":"10.0.0.1","Bogus":1}""");
        Assert.Equal((400, "Request decode failed: json: unknown field \"Bogus\""), (unknownField.Status, unknownField.Text));

        var noName = await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{node}}}","Address":"10.0.0.1","Service":{"ID":"x"}}""");
        Assert.Equal((500, "Must provide service name (Service.Service) when service ID is provided"), (noName.Status, noName.Text));
    }

    [Fact]
    public async Task Deregister_ServiceThenCheckThenNode()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (node, svc) = (consul.Name("ext"), consul.Name("db"));
        await consul.PutAsync("/v1/catalog/register", $$$"""
            {"Node":"{{{node}}}","Address":"10.0.0.9","Service":{"Service":"{{{svc}}}"},
             "Checks":[{"CheckID":"node-ok","Name":"node ok","Status":"passing"},{"CheckID":"svc-ok","Name":"svc","ServiceID":"{{{svc}}}"}]}
            """);
        var checks = (await consul.GetAsync($"/v1/health/node/{node}")).Json.AsArray();
        Assert.Equal(["node-ok", "svc-ok"], checks.Select(c => c!["CheckID"]!.GetValue<string>()).Order());
        Assert.Equal("critical", checks.Single(c => c!["CheckID"]!.GetValue<string>() == "svc-ok")!["Status"]!.GetValue<string>());

        var reply = await consul.PutAsync("/v1/catalog/deregister", $$$"""{"Node":"{{{node}}}","ServiceID":"{{{svc}}}"}""");
        Assert.Equal((200, "true"), (reply.Status, reply.Text.Trim()));
        Assert.Empty((await consul.GetAsync($"/v1/catalog/service/{svc}")).Json.AsArray());
        Assert.Equal(["node-ok"], (await consul.GetAsync($"/v1/health/node/{node}")).Json.AsArray().Select(c => c!["CheckID"]!.GetValue<string>()));

        await consul.PutAsync("/v1/catalog/deregister", $$$"""{"Node":"{{{node}}}","CheckID":"node-ok"}""");
        Assert.Empty((await consul.GetAsync($"/v1/health/node/{node}")).Json.AsArray());

        await consul.PutAsync("/v1/catalog/deregister", $$$"""{"Node":"{{{node}}}"}""");
        var nodes = (await consul.GetAsync("/v1/catalog/nodes")).Json.AsArray().Select(n => n!["Node"]!.GetValue<string>());
        Assert.DoesNotContain(node, nodes);

        var unknown = await consul.PutAsync("/v1/catalog/deregister", $$$"""{"Node":"{{{consul.Name("never")}}}"}""");
        Assert.Equal((200, "true"), (unknown.Status, unknown.Text.Trim()));
        var missing = await consul.PutAsync("/v1/catalog/deregister", "{}");
        Assert.Equal((500, "Must provide node"), (missing.Status, missing.Text));
    }

    [Fact]
    public async Task Register_Identical_DoesNotMoveTheIndex_ChangedMovesIt()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (node, svc) = (consul.Name("ext"), consul.Name("web"));
        var body = $$$"""{"Node":"{{{node}}}","Address":"10.0.0.7","Service":{"Service":"{{{svc}}}","Port":80}}""";
        await consul.PutAsync("/v1/catalog/register", body);
        var first = await consul.GetAsync($"/v1/catalog/service/{svc}");
        await consul.PutAsync("/v1/catalog/register", body);
        var again = await consul.GetAsync($"/v1/catalog/service/{svc}");
        Assert.True(first.Index == again.Index, $"An identical registration moved the index from {first.Index} to {again.Index}: {first.Text} then {again.Text}");
        await consul.PutAsync("/v1/catalog/register", body.Replace("\"Port\":80", "\"Port\":81", StringComparison.Ordinal));
        var changed = await consul.GetAsync($"/v1/catalog/service/{svc}");
        Assert.True(changed.Index > first.Index, $"A changed registration left the index at {changed.Index} (first {first.Index}): {changed.Text}");
    }

    [Fact]
    public async Task SkipNodeUpdate_KeepsTheNodeAsItWas()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (node, svc) = (consul.Name("ext"), consul.Name("api"));
        await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{node}}}","Address":"10.0.0.5","NodeMeta":{"k":"v"}}""");
        var reply = await consul.PutAsync("/v1/catalog/register",
            $$$"""{"Node":"{{{node}}}","SkipNodeUpdate":true,"Service":{"Service":"{{{svc}}}"}}""");
        Assert.Equal(200, reply.Status);
        var got = (await consul.GetAsync($"/v1/catalog/node/{node}")).Json;
        Assert.Equal("10.0.0.5", got["Node"]!["Address"]!.GetValue<string>());
        Assert.Equal("v", got["Node"]!["Meta"]!["k"]!.GetValue<string>());
        Assert.NotNull(got["Services"]![svc]);
    }

    [Fact]
    public async Task CatalogWrites_SurviveAgentActivity()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var (node, ext, local) = (consul.Name("ext"), consul.Name("ext-svc"), consul.Name("local"));
        await consul.PutAsync("/v1/catalog/register", $$$"""{"Node":"{{{node}}}","Address":"10.0.0.8","Service":{"Service":"{{{ext}}}"}}""");
        await consul.RegisterAsync($$$"""{"Name":"{{{local}}}","Check":{"TTL":"30s"}}""");
        await consul.PutAsync($"/v1/agent/check/pass/service:{local}");
        await consul.PutAsync($"/v1/agent/service/deregister/{local}");
        Assert.Single((await consul.GetAsync($"/v1/catalog/service/{ext}")).Json.AsArray());
    }
}
