// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

/// <summary>
/// The Consul an integration test runs against: a fresh <see cref="ConsulTestAgent"/>, or the real Consul named by
/// <c>CONSUL_HTTP_ADDR</c> (with <c>CONSUL_HTTP_TOKEN</c>) when that is set. State is read the same way for both
/// (the agent's views, or <c>/v1/agent/services</c> and <c>/v1/agent/checks</c>), so tests assert only on what a real
/// Consul shows; tests that need the agent's fault hooks call <see cref="RequireTestAgent"/>, which skips them on a
/// real Consul with the reason. With <c>CONSUL_TEST_CLUSTER_NODES=N</c> (N ≥ 2) and no <c>CONSUL_HTTP_ADDR</c>, it starts a
/// <see cref="ConsulTestCluster"/> of N agents instead: <see cref="Address"/> (registrations, and the agent tests drive)
/// is agent 2, a client, and <see cref="DiscoveryAddress"/> is the last agent, so one catalog serves both through
/// different agents.
/// </summary>
internal sealed class ConsulTarget : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private readonly ConsulTestAgent? _agent;
    private readonly ConsulTestCluster? _cluster;
    private readonly HttpClient? _http;

    private ConsulTarget(ConsulTestAgent? agent, Uri address, string? token, ConsulTestCluster? cluster = null)
    {
        _agent = agent;
        _cluster = cluster;
        Address = address;
        DiscoveryAddress = cluster?.Agents[^1].Address ?? address;
        Token = token;
        if (agent is null)
        {
            _http = new HttpClient { BaseAddress = address };
            if (!string.IsNullOrEmpty(token))
            {
                _http.DefaultRequestHeaders.Add("X-Consul-Token", token);
            }
        }
    }

    /// <summary>Gets the agent's HTTP address.</summary>
    public Uri Address { get; }

    /// <summary>Gets the address discovery may use: another agent of the same datacenter in cluster mode, else <see cref="Address"/>.</summary>
    public Uri DiscoveryAddress { get; }

    /// <summary>Gets the ACL token to use against a real Consul (<c>CONSUL_HTTP_TOKEN</c>), if any.</summary>
    public string? Token { get; }

    /// <summary>Gets a value indicating whether the tests run against a real Consul.</summary>
    public bool IsRealConsul => _agent is null;

    /// <summary>Gets a value indicating whether the tests run against a <see cref="ConsulTestCluster"/> (<c>CONSUL_TEST_CLUSTER_NODES</c>).</summary>
    public bool IsCluster => _cluster is not null;

    /// <summary>The address of the real Consul to run against, or <see langword="null"/> for the test agent.</summary>
    public static Uri? RealConsulAddress
    {
        get
        {
            var value = Environment.GetEnvironmentVariable("CONSUL_HTTP_ADDR");
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }

            return new Uri(value.Contains("://", StringComparison.Ordinal) ? value : "http://" + value);
        }
    }

    public static async Task<ConsulTarget> StartAsync(ConsulTestAgentOptions? options = null)
    {
        if (RealConsulAddress is { } real)
        {
            return new ConsulTarget(agent: null, real, Environment.GetEnvironmentVariable("CONSUL_HTTP_TOKEN"));
        }

        if (int.TryParse(Environment.GetEnvironmentVariable("CONSUL_TEST_CLUSTER_NODES"), out var nodes) && nodes > 1)
        {
            var cluster = await ConsulTestCluster.StartAsync(nodes, options, TestContext.Current.CancellationToken);
            return new ConsulTarget(cluster.Agents[1], cluster.Agents[1].Address, token: null, cluster);
        }

        var agent = await ConsulTestAgent.StartAsync(options, TestContext.Current.CancellationToken);
        return new ConsulTarget(agent, agent.Address, token: null);
    }

    /// <summary>A client for the target's HTTP API that sends <see cref="Token"/>, for tests that write state as an operator would.</summary>
    public HttpClient CreateHttpClient()
    {
        var http = new HttpClient { BaseAddress = Address };
        if (!string.IsNullOrEmpty(Token))
        {
            http.DefaultRequestHeaders.Add("X-Consul-Token", Token);
        }

        return http;
    }

    /// <summary>The test agent, for a test that needs its fault hooks or counters; skips the test on a real Consul.</summary>
    public ConsulTestAgent RequireTestAgent(string why)
    {
        if (_agent is null)
        {
            Assert.Skip($"needs the test agent: {why}");
        }

        return _agent;
    }

    /// <summary>
    /// A service name for this test: the name itself on a private test agent, a unique variant on a shared real Consul
    /// so parallel tests and leftovers of earlier runs cannot meet.
    /// </summary>
    public string ServiceName(string name) => IsRealConsul ? $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)] : name;

    /// <summary>Reads the agent's services and checks.</summary>
    public async Task<ConsulState> GetStateAsync(CancellationToken cancellationToken)
    {
        if (_agent is not null)
        {
            return ConsulState.From(_agent);
        }

#pragma warning disable CA1507 // Consul's JSON field names, not this class's members.
        using var services = JsonDocument.Parse(await _http!.GetStringAsync("/v1/agent/services", cancellationToken));
        using var checks = JsonDocument.Parse(await _http.GetStringAsync("/v1/agent/checks", cancellationToken));
        return new ConsulState(
            [.. services.RootElement.EnumerateObject().Select(p => new ServiceView(
                p.Value.GetProperty("ID").GetString()!,
                p.Value.GetProperty("Service").GetString()!,
                p.Value.GetProperty("Address").GetString() ?? "",
                p.Value.GetProperty("Port").GetInt32(),
                [.. p.Value.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()!)],
                p.Value.GetProperty("Meta").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetString()!)))],
            [.. checks.RootElement.EnumerateObject().Select(p => new CheckView(
                p.Value.GetProperty("CheckID").GetString()!,
                p.Value.GetProperty("ServiceID").GetString()!,
                p.Value.GetProperty("Status").GetString()!,
                p.Value.GetProperty("Type").GetString()!,
                p.Value.GetProperty("Output").GetString() ?? ""))]);
#pragma warning restore CA1507
    }

    /// <summary>Waits until <paramref name="condition"/> holds of the agent's state, or fails at the deadline.</summary>
    public async Task WaitUntilAsync(Func<ConsulState, bool> condition, TimeSpan timeout, string what)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        if (_agent is not null)
        {
            try
            {
                await _agent.WaitUntilAsync(a => condition(ConsulState.From(a)), timeout, cancellationToken);
                return;
            }
            catch (TimeoutException ex)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting until {what}.", ex);
            }
        }

        // A real Consul pushes nothing to us: poll its agent endpoints until the deadline.
        var deadline = TimeProvider.System.GetUtcNow() + timeout;
        while (!condition(await GetStateAsync(cancellationToken)))
        {
            if (TimeProvider.System.GetUtcNow() > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting until {what}.");
            }

            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
        else if (_agent is not null)
        {
            await _agent.DisposeAsync();
        }
    }
}

/// <summary>What the agent holds, in the shape <c>/v1/agent/services</c> and <c>/v1/agent/checks</c> show it.</summary>
internal sealed record ConsulState(IReadOnlyList<ServiceView> Services, IReadOnlyList<CheckView> Checks)
{
    public static ConsulState From(ConsulTestAgent agent) => new(
        [.. agent.Services.Select(s => new ServiceView(s.Id, s.Name, s.Address, s.Port, s.Tags, s.Meta))],
        [.. agent.Checks.Select(c => new CheckView(c.CheckId, c.ServiceId, c.Status, c.Type, c.Output))]);

    public bool Has(string serviceId) => Services.Any(s => s.Id == serviceId);

    public string CheckStatus(string serviceId) => Checks.SingleOrDefault(c => c.CheckId == "service:" + serviceId)?.Status ?? "(none)";
}

internal sealed record ServiceView(string Id, string Name, string Address, int Port, IReadOnlyList<string> Tags, IReadOnlyDictionary<string, string> Meta);

internal sealed record CheckView(string CheckId, string ServiceId, string Status, string Type, string Output);
