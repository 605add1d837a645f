// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Net.Sockets;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Agent;

/// <summary>The agent's fault hooks and request log, used by reliability tests.</summary>
public sealed class FaultHookTests
{
    [Fact]
    public async Task FailNextRequests_FailsOnlyMatchingPathsThenRecovers()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = agent.Address };
        agent.FailNextRequests(2, 503, pathPrefix: "/v1/health/");
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(200, (int)(await http.GetAsync("/v1/agent/services", ct)).StatusCode);
        var failed = await http.GetAsync("/v1/health/service/web", ct);
        Assert.Equal(503, (int)failed.StatusCode);
        Assert.Equal("rpc error making call: injected fault", await failed.Content.ReadAsStringAsync(ct));
        Assert.Equal(503, (int)(await http.GetAsync("/v1/health/service/web", ct)).StatusCode);
        Assert.Equal(200, (int)(await http.GetAsync("/v1/health/service/web", ct)).StatusCode);
    }

    [Fact]
    public async Task CutNextResponses_SendsHeadersAndHalfTheBodyThenAbortsOnlyMatchingPaths()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: ct);
        using var http = new HttpClient { BaseAddress = agent.Address };
        await http.PutAsync("/v1/agent/service/register", new StringContent("""{"Name":"web","Port":80}"""), ct);
        var full = await http.GetByteArrayAsync("/v1/health/service/web", ct);

        agent.CutNextResponses(1, pathPrefix: "/v1/health/");
        Assert.Equal(200, (int)(await http.GetAsync("/v1/agent/services", ct)).StatusCode);
        using (var cut = await http.GetAsync("/v1/health/service/web", HttpCompletionOption.ResponseHeadersRead, ct))
        {
            Assert.Equal(200, (int)cut.StatusCode);
            Assert.Equal(full.Length, cut.Content.Headers.ContentLength);
            var (received, error) = await ReadUntilFailureAsync(await cut.Content.ReadAsStreamAsync(ct), ct);
            Assert.IsAssignableFrom<IOException>(error);
            Assert.Equal(full.AsSpan(0, full.Length / 2).ToArray(), received);
        }

        Assert.Equal(full, await http.GetByteArrayAsync("/v1/health/service/web", ct));
    }

    [Fact]
    public async Task CutNextResponses_BlockingQueryBlocksThenItsAnswerIsCut()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: ct);
        using var http = new HttpClient { BaseAddress = agent.Address };
        using var first = await http.GetAsync("/v1/catalog/services", ct);
        var index = first.Headers.GetValues("X-Consul-Index").Single();

        agent.CutNextResponses(1, pathPrefix: "/v1/catalog/services");
        var blocked = http.GetAsync($"/v1/catalog/services?index={index}&wait=60s", HttpCompletionOption.ResponseHeadersRead, ct);
        await Eventually.UntilAsync(() => Task.FromResult(agent.Store.BlockedQueries), n => n == 1);
        Assert.False(blocked.IsCompleted);

        await http.PutAsync("/v1/agent/service/register", new StringContent("""{"Name":"web"}"""), ct);
        using var cut = await blocked.WaitAsync(TimeSpan.FromSeconds(10), ct);
        Assert.Equal(200, (int)cut.StatusCode);
        var (received, error) = await ReadUntilFailureAsync(await cut.Content.ReadAsStreamAsync(ct), ct);
        Assert.IsAssignableFrom<IOException>(error);
        Assert.True(received.Length < cut.Content.Headers.ContentLength, $"{received.Length} of {cut.Content.Headers.ContentLength} bytes");
    }

    [Fact]
    public async Task Pause_HoldsRequestsUntilResume()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = agent.Address };
        agent.Pause();
        var pending = http.GetAsync("/v1/status/leader", TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => Task.FromResult(agent.CountRequests("/v1/status/leader")), n => n == 1);
        Assert.False(pending.IsCompleted);
        agent.Resume();
        using var response = await pending.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Latency_DelaysEveryRequest()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = agent.Address };
        agent.Latency = TimeSpan.FromMilliseconds(200);
        var stopwatch = Stopwatch.StartNew();
        using var response = await http.GetAsync("/v1/status/leader", TestContext.Current.CancellationToken);
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(190), $"took {stopwatch.Elapsed}");
    }

    [Fact]
    public async Task StopAccepting_RefusesConnections_StartAcceptingOnSamePortKeepsState()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var ct = TestContext.Current.CancellationToken;
        using (var http = new HttpClient { BaseAddress = agent.Address })
        {
            await http.PutAsync("/v1/agent/service/register", new StringContent("""{"Name":"web"}"""), ct);
        }

        var port = agent.Port;
        await agent.StopAcceptingAsync(ct);
        Assert.False(agent.IsAccepting);
        using (var refused = new HttpClient { BaseAddress = agent.Address })
        {
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => refused.GetAsync("/v1/status/leader", ct));
            Assert.Equal(SocketError.ConnectionRefused, (error.InnerException as SocketException)?.SocketErrorCode);
        }

        await agent.StartAcceptingAsync(ct);
        Assert.Equal(port, agent.Port);
        using var again = new HttpClient { BaseAddress = agent.Address };
        var services = await again.GetStringAsync("/v1/agent/services", ct);
        Assert.Contains("\"web\"", services);
    }

    [Fact]
    public async Task Restart_DropsBlockingQueries()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = agent.Address };
        var blocked = http.GetAsync("/v1/health/service/web?index=999&wait=60s", TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => Task.FromResult(agent.Store.BlockedQueries), n => n == 1);
        await agent.RestartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<HttpRequestException>(() => blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("/v1/kv/config/?recurse&index=999&wait=60s")]
    [InlineData("/v1/kv/config/flag?index=999&wait=60s")]
    [InlineData("/v1/catalog/services?index=999&wait=60s")]
    [InlineData("/v1/health/state/any?index=999&wait=60s")]
    public async Task Restart_DropsEveryKindOfBlockingQuery(string path)
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = agent.Address };
        var blocked = http.GetAsync(path, TestContext.Current.CancellationToken);
        await Eventually.UntilAsync(() => Task.FromResult(agent.Store.BlockedQueries), n => n == 1);
        await agent.RestartAsync(keepState: false, TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<HttpRequestException>(() => blocked.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Requests_AreLoggedAndCountable()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = agent.Address };
        var ct = TestContext.Current.CancellationToken;
        await http.GetAsync("/v1/health/service/a%2Fb?passing", ct);
        await http.GetAsync("/v1/health/service/other", ct);
        await http.GetAsync("/v1/status/leader", ct);
        Assert.Equal(2, agent.CountRequests("/v1/health/service/"));
        Assert.Equal(1, agent.CountRequests("/v1/health/service/a/b", "GET"));
        Assert.Equal("passing", agent.Requests[0].Query);
        agent.ClearRequests();
        Assert.Empty(agent.Requests);
    }

    [Fact]
    public async Task Requests_NeverKeepTokenFromQuery()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = agent.Address };
        await http.GetAsync("/v1/agent/services?token=s3cret&filter=", TestContext.Current.CancellationToken);
        Assert.Equal("token=<hidden>&filter=", Assert.Single(agent.Requests).Query);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ThrowsNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => ConsulTestAgent.StartAsync(new ConsulTestAgentOptions { ReapInterval = TimeSpan.Zero }, TestContext.Current.CancellationToken));
        Assert.Contains("ConsulTestAgentOptions.ReapInterval must be greater than zero", error.Message);
    }

    [Fact]
    public async Task StateViews_ReflectRegistrationsAndKv()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = agent.Address };
        var ct = TestContext.Current.CancellationToken;
        await http.PutAsync("/v1/agent/service/register", new StringContent("""{"ID":"w1","Name":"web","Port":80,"Tags":["x"],"Check":{"TTL":"10s"}}"""), ct);
        await http.PutAsync("/v1/kv/a", new StringContent("v"), ct);
        var service = Assert.Single(agent.Services);
        Assert.Equal(("w1", "web", 80), (service.Id, service.Name, service.Port));
        var check = Assert.Single(agent.Checks);
        Assert.Equal(("service:w1", "critical", "ttl"), (check.CheckId, check.Status, check.Type));
        var kv = Assert.Single(agent.KeyValues);
        Assert.Equal("v"u8.ToArray(), kv.Value.ToArray());
    }

    private static async Task<(byte[] Received, Exception? Error)> ReadUntilFailureAsync(Stream body, CancellationToken ct)
    {
        using var received = new MemoryStream();
        var buffer = new byte[256];
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException error)
        {
            return (received.ToArray(), error);
        }

        return (received.ToArray(), null);
    }
}
