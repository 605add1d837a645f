// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §9 and §17: alias, script, UDP and gRPC checks.</summary>
public sealed class CheckKindsConformanceTests
{
    [Fact]
    public async Task Alias_MirrorsTheAliasedServicesChecks()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var target = consul.Name("target");
        var alias = consul.Name("alias");
        await consul.RegisterAsync($$"""{"ID":"{{target}}","Name":"{{target}}","Check":{"CheckID":"{{target}}-ttl","Name":"ttl","TTL":"30s"} }""");
        await consul.RegisterAsync($$"""{"ID":"{{alias}}","Name":"{{alias}}","Check":{"CheckID":"{{alias}}-alias","AliasService":"{{target}}"} }""");

        var check = await AliasCheckAsync(consul, alias, c => c["Status"]!.GetValue<string>() == "critical" && c["Output"]!.GetValue<string>().StartsWith("Aliased", StringComparison.Ordinal));
        Assert.Equal("alias", check["Type"]!.GetValue<string>());
        Assert.Equal("Aliased check \"ttl\" failing: ", check["Output"]!.GetValue<string>());

        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/check/warn/{target}-ttl?note=slow")).Status);
        check = await AliasCheckAsync(consul, alias, c => c["Status"]!.GetValue<string>() == "warning");
        Assert.Equal("Aliased check \"ttl\" failing: slow", check["Output"]!.GetValue<string>());

        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/check/pass/{target}-ttl")).Status);
        check = await AliasCheckAsync(consul, alias, c => c["Status"]!.GetValue<string>() == "passing");
        Assert.Equal("All checks passing.", check["Output"]!.GetValue<string>());

        Assert.Equal(200, (await consul.PutAsync($"/v1/agent/service/deregister/{target}")).Status);
        check = await AliasCheckAsync(consul, alias, c => c["Status"]!.GetValue<string>() == "critical");
        Assert.Equal($"Service {target} could not be found on node ", check["Output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Alias_OfServiceWithoutChecks_IsPassingWithNoChecksFound()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var target = consul.Name("bare");
        var alias = consul.Name("alias");
        await consul.RegisterAsync($$"""{"ID":"{{target}}","Name":"{{target}}"}""");
        await consul.RegisterAsync($$"""{"ID":"{{alias}}","Name":"{{alias}}","Check":{"CheckID":"{{alias}}-alias","AliasService":"{{target}}"} }""");
        var check = await AliasCheckAsync(consul, alias, c => c["Status"]!.GetValue<string>() == "passing");
        Assert.Equal("No checks found.", check["Output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Script_RunsWhenEnabled_ExitCodesMapToStatus()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            Assert.Skip("uses /bin/sh");
        }

        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { EnableScriptChecks = true }, "needs EnableScriptChecks");
        await consul.RegisterAsync("""{"ID":"s1","Name":"s1","Checks":[{"CheckID":"warn","Args":["/bin/sh","-c","echo slow; exit 1"],"Interval":"1s"},{"CheckID":"ok","Args":["/bin/sh","-c","echo fine"],"Interval":"1s"},{"CheckID":"bad","Args":["/bin/sh","-c","echo broken >&2; exit 3"],"Interval":"1s"},{"CheckID":"long","Args":["/bin/sh","-c","head -c 5000 /dev/zero | tr '\\0' x"],"Interval":"1s","OutputMaxSize":100}]}""");
        var checks = await Eventually.UntilAsync(
            async () => (await consul.GetAsync("/v1/agent/checks")).Json,
            c => c["warn"]!["Status"]!.GetValue<string>() != "critical" && c["ok"]!["Status"]!.GetValue<string>() == "passing"
                && c["bad"]!["Output"]!.GetValue<string>().Length > 0 && c["long"]!["Status"]!.GetValue<string>() == "passing",
            TimeSpan.FromSeconds(15));
        Assert.Equal("script", checks["ok"]!["Type"]!.GetValue<string>());
        Assert.Equal(("warning", "slow\n"), (checks["warn"]!["Status"]!.GetValue<string>(), checks["warn"]!["Output"]!.GetValue<string>()));
        Assert.Equal("fine\n", checks["ok"]!["Output"]!.GetValue<string>());
        Assert.Equal(("critical", "broken\n"), (checks["bad"]!["Status"]!.GetValue<string>(), checks["bad"]!["Output"]!.GetValue<string>()));
        Assert.Equal("Captured 100 of 5000 bytes\n...\n" + new string('x', 100), checks["long"]!["Output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Udp_PassesOnReplyOrSilence_CriticalOnPortUnreachable()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("ICMP port-unreachable surfacing as a socket error is Linux behaviour");
        }

        await using var consul = await ConsulTarget.StartAsync();
        using var echo = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var echoPort = ((IPEndPoint)echo.Client.LocalEndPoint!).Port;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var received = await echo.ReceiveAsync(TestContext.Current.CancellationToken);
                await echo.SendAsync(new byte[] { 1 }, received.RemoteEndPoint, TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);
        int closedPort;
        using (var closed = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            closedPort = ((IPEndPoint)closed.Client.LocalEndPoint!).Port;
        }

        var id = consul.Name("udp");
        await consul.RegisterAsync($$"""{"ID":"{{id}}","Name":"{{id}}","Checks":[{"CheckID":"{{id}}-up","UDP":"127.0.0.1:{{echoPort}}","Interval":"1s","Timeout":"1s"},{"CheckID":"{{id}}-down","UDP":"127.0.0.1:{{closedPort}}","Interval":"1s","Timeout":"1s"}]}""");
        var checks = await Eventually.UntilAsync(
            async () => (await consul.GetAsync("/v1/agent/checks")).Json,
            c => c[$"{id}-up"]!["Status"]!.GetValue<string>() == "passing" && c[$"{id}-down"]!["Output"]!.GetValue<string>().Length > 0,
            TimeSpan.FromSeconds(15));
        Assert.Equal($"UDP connect 127.0.0.1:{echoPort}: Success", checks[$"{id}-up"]!["Output"]!.GetValue<string>());
        Assert.Equal("udp", checks[$"{id}-up"]!["Type"]!.GetValue<string>());
        Assert.Equal("critical", checks[$"{id}-down"]!["Status"]!.GetValue<string>());
        Assert.EndsWith("connection refused", checks[$"{id}-down"]!["Output"]!.GetValue<string>());
    }

    [Fact]
    public async Task Grpc_ServingIsPassing_NotServingIsCritical()
    {
        await using var consul = await ConsulTarget.StartAsync();
        await using var server = await StartHealthServerAsync();
        var port = new Uri(server.Urls.First()).Port;
        var id = consul.Name("grpc");
        await consul.RegisterAsync($$"""{"ID":"{{id}}","Name":"{{id}}","Checks":[{"CheckID":"{{id}}-up","GRPC":"127.0.0.1:{{port}}","Interval":"1s"},{"CheckID":"{{id}}-down","GRPC":"127.0.0.1:{{port}}/sick","Interval":"1s"}]}""");
        var checks = await Eventually.UntilAsync(
            async () => (await consul.GetAsync("/v1/agent/checks")).Json,
            c => c[$"{id}-up"]!["Status"]!.GetValue<string>() == "passing" && c[$"{id}-down"]!["Output"]!.GetValue<string>().Length > 0,
            TimeSpan.FromSeconds(15));
        Assert.Equal($"gRPC check 127.0.0.1:{port}: success", checks[$"{id}-up"]!["Output"]!.GetValue<string>());
        Assert.Equal("grpc", checks[$"{id}-up"]!["Type"]!.GetValue<string>());
        Assert.Equal("critical", checks[$"{id}-down"]!["Status"]!.GetValue<string>());
        Assert.Equal($"gRPC 127.0.0.1:{port}/sick serving status: NOT_SERVING", checks[$"{id}-down"]!["Output"]!.GetValue<string>());
    }

    private static async Task<JsonNode> AliasCheckAsync(ConsulTarget consul, string alias, Func<JsonNode, bool> done) =>
        await Eventually.UntilAsync(async () => (await consul.GetAsync("/v1/agent/checks")).Json[$"{alias}-alias"]!, done);

    /// <summary>A grpc.health.v1 server over h2c: SERVING for "", NOT_SERVING for any named service.</summary>
    private static async Task<WebApplication> StartHealthServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.MapPost("/grpc.health.v1.Health/Check", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var named = body.Length > 5;
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(new byte[] { 0, 0, 0, 0, 2, 0x08, (byte)(named ? 2 : 1) });
            context.Response.AppendTrailer("grpc-status", "0");
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        return app;
    }
}
