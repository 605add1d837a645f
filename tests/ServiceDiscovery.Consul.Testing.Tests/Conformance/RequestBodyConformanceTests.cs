// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md §27: request bodies as Consul decodes them. Durations sent as JSON numbers are Go
/// nanoseconds, intervals under the minimum are raised (and warned of), and each body is strict or lenient where
/// Consul's decoder for it is.
/// </summary>
public sealed class RequestBodyConformanceTests
{
    [Theory]
    [InlineData("/v1/agent/service/register", """{"Name":"{0}","Check":{"CheckID":"{0}-c","TTL":1,"Status":"passing"}}""")]
    [InlineData("/v1/agent/check/register", """{"ID":"{0}-c","Name":"{0}","TTL":1,"Status":"passing"}""")]
    public async Task TtlOfTheNumberOne_IsAOneNanosecondTtl_ThatExpiresAtOnce(string path, string template)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("ttl");

        var reply = await consul.PutAsync(path, template.Replace("{0}", name, StringComparison.Ordinal));

        Assert.Equal((200, string.Empty), (reply.Status, reply.Text));
        var checks = await Eventually.UntilAsync(
            () => consul.GetAsync("/v1/agent/checks"), r => r.Json[$"{name}-c"]?["Status"]?.GetValue<string>() == "critical");
        Assert.StartsWith("TTL expired", checks.Json[$"{name}-c"]!["Output"]!.GetValue<string>(), StringComparison.Ordinal);
        await consul.PutAsync($"/v1/agent/check/deregister/{name}-c");
    }

    [Theory]
    [InlineData("\"100ms\"")]
    [InlineData("100000000")]
    public async Task IntervalUnderOneSecond_IsAccepted_AndPrintedAsRegistered(string interval)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("web");

        await consul.RegisterAsync($$$"""{"Name":"{{{name}}}","Check":{"CheckID":"{{{name}}}-c","HTTP":"http://127.0.0.1:1/","Interval":{{{interval}}}}}""");

        // addServiceInternal formats HealthCheck.Interval before addCheck raises the probe's interval to 1s.
        var check = (await consul.GetAsync("/v1/agent/checks")).Json[$"{name}-c"]!;
        Assert.Equal(("100ms", "http"), (check["Interval"]!.GetValue<string>(), check["Type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task IntervalUnderOneSecond_ProbesOncePerSecond()
    {
        var time = new FakeTimeProvider();
        await using var endpoint = await LoopbackHealthEndpoint.StartAsync();
        await using var consul = await ConsulTarget.StartAgentAsync(new ConsulTestAgentOptions { TimeProvider = time }, "fake time drives the probe schedule");
        await consul.RegisterAsync($$$"""{"Name":"web","Check":{"HTTP":"{{{endpoint.Url}}}","Interval":100000000}}""");
        await endpoint.AdvanceToNextProbeAsync(time, TimeSpan.FromSeconds(1));

        // Step 100 ms at a time: at the registered 100 ms the next probe would come after one step, at 1 s after ten.
        // A slow probe only adds steps, so the bound holds on a loaded machine.
        var steps = 0;
        while (endpoint.Probes.Count < 2 && steps < 50)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            steps++;
            try
            {
                await endpoint.WaitForProbesAsync(2, TimeSpan.FromMilliseconds(50));
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                // Not due yet: step again.
            }
        }

        Assert.InRange(steps, 10, 49);
    }

    [Theory]
    [InlineData("""{"CheckID":"{0}-c","HTTP":"http://127.0.0.1:1/","Interval":"100ms"}""", "check has interval below minimum")]
    [InlineData("""{"CheckID":"{0}-c","TTL":"30s","DeregisterCriticalServiceAfter":"10s"}""", "check has deregister interval below minimum")]
    public async Task RaisedMinimum_IsWarnedOfAsConsulWarns(string check, string warning)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("low");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/agent/monitor?loglevel=warn");
        using var response = await consul.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));

        await consul.RegisterAsync($$$"""{"Name":"{{{name}}}","Check":{{{check.Replace("{0}", name, StringComparison.Ordinal)}}}}""");

        var line = await ReadLineContainingAsync(reader, $"{name}-c");
        Assert.NotNull(line);
        Assert.Contains(" [WARN]  agent: " + warning + ": check=" + name + "-c minimum_interval=", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogDeregister_CarryingTheObsoleteAddress_IsAccepted()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var node = consul.Name("ext");
        Assert.Equal(200, (await consul.PutAsync("/v1/catalog/register", $$"""{"Node":"{{node}}","Address":"10.0.0.1"}""")).Status);

        // The Go client's CatalogDeregistration still has Address; DeregisterRequest names it so it decodes.
        var reply = await consul.PutAsync("/v1/catalog/deregister", $$"""{"Node":"{{node}}","Address":"10.0.0.1","Datacenter":""}""");

        Assert.Equal((200, "true"), (reply.Status, reply.Text.Trim()));
        Assert.Equal("null", (await consul.GetAsync($"/v1/catalog/node/{node}")).Text.Trim());
        var bogus = await consul.PutAsync("/v1/catalog/deregister", $$"""{"Node":"{{node}}","Bogus":1}""");
        Assert.Equal((400, "Request decode failed: json: unknown field \"Bogus\""), (bogus.Status, bogus.Text));
    }

    [Theory]
    [InlineData("""{"Node":"{0}","Address":"10.0.0.1","Check":{"CheckID":"c","Definition":{"HTTP":"http://x/","Interval":1000000000,"Bogus":1}}}""", 200, "true")]
    [InlineData("""{"Node":"{0}","Address":"10.0.0.1","Service":{"Service":"db","Connect":{"Bogus":1}}}""", 200, "true")]
    [InlineData("""{"Node":"{0}","Address":"10.0.0.1","Check":{"CheckID":"c","Bogus":1}}""", 400, "Request decode failed: json: unknown field \"Bogus\"")]
    [InlineData("""{"Node":"{0}","Address":"10.0.0.1","Service":{"Service":"db","Bogus":1}}""", 400, "Request decode failed: json: unknown field \"Bogus\"")]
    public async Task CatalogRegister_DefinitionAndConnectAreLenient_TheRestStrict(string template, int status, string text)
    {
        await using var consul = await ConsulTarget.StartAsync();

        var reply = await consul.PutAsync("/v1/catalog/register", template.Replace("{0}", consul.Name("ext"), StringComparison.Ordinal));

        Assert.Equal((status, text), (reply.Status, reply.Text.Trim()));
    }

    [Fact]
    public async Task CatalogCheck_IntervalAndTimeout_AreKeptAsTheStringsSent()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var node = consul.Name("ext");

        // structs.HealthCheck holds both as plain strings: nothing parses or reformats them.
        var reply = await consul.PutAsync("/v1/catalog/register",
            $$$"""{"Node":"{{{node}}}","Address":"10.0.0.1","Check":{"CheckID":"c","Interval":"1m","Timeout":"soon"}}""");

        Assert.Equal(200, reply.Status);
        var check = (await consul.GetAsync($"/v1/health/node/{node}")).Json.AsArray().Single(c => c!["CheckID"]!.GetValue<string>() == "c")!;
        Assert.Equal(("1m", "soon"), (check["Interval"]!.GetValue<string>(), check["Timeout"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("""{"Name":"{0}","Connect":{"Bogus":1}}""", 200, "")]
    [InlineData("""{"Name":"{0}","Port":80,"Connect":{"SidecarService":{"Bogus":1}}}""", 400, "Request decode failed: json: unknown field \"Bogus\"")]
    [InlineData("""{"Name":"{0}","Check":{"TTL":"10s","Bogus":1}}""", 400, "Request decode failed: json: unknown field \"Bogus\"")]
    public async Task AgentRegister_ConnectIsLenient_ItsSidecarAndChecksStrict(string template, int status, string text)
    {
        await using var consul = await ConsulTarget.StartAsync();

        var reply = await consul.PutAsync("/v1/agent/service/register", template.Replace("{0}", consul.Name("web"), StringComparison.Ordinal));

        Assert.Equal((status, text), (reply.Status, reply.Text));
    }

    [Theory]
    [InlineData("""[{"KV":{"Verb":"set","Key":"{0}","Value":"dg=="},"Bogus":1}]""", 400, "Failed to parse body: json: unknown field \"Bogus\"")]
    [InlineData("""[{"KV":{"Verb":"set","Key":"{0}","Value":"dg==","Bogus":1}}]""", 400, "Failed to parse body: json: unknown field \"Bogus\"")]
    [InlineData("""[{"kv":{"verb":"set","key":"{0}","value":"dg==","Namespace":"","Partition":""}}]""", 200, null)]
    public async Task Txn_RefusesUnknownKeys_AcceptsTheApiFields(string template, int status, string? text)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("txn");

        var reply = await consul.PutAsync("/v1/txn", template.Replace("{0}", key, StringComparison.Ordinal));

        Assert.Equal(status, reply.Status);
        if (text is not null)
        {
            Assert.Equal(text, reply.Text);
        }

        await consul.DeleteAsync($"/v1/kv/{key}");
    }

    private static async Task<string?> ReadLineContainingAsync(StreamReader reader, string text)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        string? line;
        do
        {
            line = await reader.ReadLineAsync(deadline.Token);
        }
        while (line is not null && !line.Contains(text, StringComparison.Ordinal));

        return line;
    }
}
