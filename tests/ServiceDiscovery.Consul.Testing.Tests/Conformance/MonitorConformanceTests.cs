// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md §13 (monitor): at debug, <c>/v1/agent/monitor</c> shows every API request as Consul's
/// <c>agent.http</c> logger writes it, so a client waiting for log lines sees its own traffic.
/// </summary>
public sealed class MonitorConformanceTests
{
    [Fact]
    public async Task Debug_ShowsRequestFinished_ForARequestMadeAfterItStarted()
    {
        await using var consul = await ConsulTarget.StartAsync();
        await using var monitor = await MonitorStream.OpenAsync(consul, "/v1/agent/monitor?loglevel=debug");
        var probe = consul.Name("probe");

        // The monitor has subscribed once its headers arrived; a request now must be reported.
        var reply = await consul.GetAsync($"/v1/status/leader?probe={probe}");
        Assert.Equal(200, reply.Status);

        var line = await monitor.ReadUntilAsync(l => l.Contains($"?probe={probe}", StringComparison.Ordinal));
        Assert.Matches(
            $@"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}(Z|[+-]\d{{4}}) \[DEBUG\] agent\.http: Request finished: method=GET url=/v1/status/leader\?probe={probe} from=\S+:\d+ latency=\S+$",
            line);
    }

    [Fact]
    public async Task Trace_AlsoShowsRequests_AndHidesTokenValues()
    {
        await using var consul = await ConsulTarget.StartAsync();
        await using var monitor = await MonitorStream.OpenAsync(consul, "/v1/agent/monitor?loglevel=trace");
        var probe = consul.Name("probe");
        var secret = Guid.NewGuid().ToString();

        await consul.GetAsync($"/v1/status/leader?probe={probe}&token={secret}");

        var warning = await monitor.ReadUntilAsync(l => l.Contains("[WARN]", StringComparison.Ordinal) && l.Contains(probe, StringComparison.Ordinal));
        Assert.EndsWith(
            $"agent.http: This request used the token query parameter which is deprecated and will be removed in Consul 1.17: logUrl=\"/v1/status/leader?probe={probe}&token=<hidden>\"",
            warning,
            StringComparison.Ordinal);
        var finished = await monitor.ReadUntilAsync(l => l.Contains("Request finished", StringComparison.Ordinal) && l.Contains(probe, StringComparison.Ordinal));
        Assert.Contains($" url=\"/v1/status/leader?probe={probe}&token=<hidden>\" ", finished, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, warning + finished, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogJson_HasHclogFieldNames()
    {
        await using var consul = await ConsulTarget.StartAsync();
        await using var monitor = await MonitorStream.OpenAsync(consul, "/v1/agent/monitor?loglevel=debug&logjson");
        var probe = consul.Name("probe");

        await consul.GetAsync($"/v1/status/peers?probe={probe}");

        var line = await monitor.ReadUntilAsync(l => l.Contains($"probe={probe}", StringComparison.Ordinal) && l.Contains("Request finished", StringComparison.Ordinal));
        var entry = JsonNode.Parse(line)!.AsObject();
        Assert.Equal("debug", entry["@level"]!.GetValue<string>());
        Assert.Equal("Request finished", entry["@message"]!.GetValue<string>());
        Assert.Equal("agent.http", entry["@module"]!.GetValue<string>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,6}(Z|[+-]\d\d:?\d\d)$", entry["@timestamp"]!.GetValue<string>());
        Assert.Equal("GET", entry["method"]!.GetValue<string>());
        Assert.Equal($"/v1/status/peers?probe={probe}", entry["url"]!.GetValue<string>());
        Assert.Matches(@":\d+$", entry["from"]!.GetValue<string>());
        Assert.Matches(@"^[0-9.]+(ns|µs|ms|s)$", entry["latency"]!.GetValue<string>());
    }

    /// <summary>An open monitor stream read line by line, each read bounded by a deadline.</summary>
    private sealed class MonitorStream : IAsyncDisposable
    {
        private readonly HttpResponseMessage _response;
        private readonly StreamReader _reader;

        private MonitorStream(HttpResponseMessage response, StreamReader reader)
        {
            _response = response;
            _reader = reader;
        }

        public static async Task<MonitorStream> OpenAsync(ConsulTarget consul, string path)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            var response = await consul.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
            Assert.Equal(200, (int)response.StatusCode);
            var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));
            return new MonitorStream(response, reader);
        }

        public async Task<string> ReadUntilAsync(Func<string, bool> match)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(20));
            while (await _reader.ReadLineAsync(deadline.Token) is { } line)
            {
                if (match(line))
                {
                    return line;
                }
            }

            Assert.Fail("the monitor stream ended before the expected line");
            return string.Empty;
        }

        public ValueTask DisposeAsync()
        {
            _reader.Dispose();
            _response.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
