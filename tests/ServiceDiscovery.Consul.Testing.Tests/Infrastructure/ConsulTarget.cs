// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

/// <summary>
/// The Consul a conformance test talks to: a real one when <c>CONSUL_HTTP_ADDR</c> is set, otherwise a fresh
/// <see cref="ConsulTestAgent"/>. Tests speak raw HTTP and JSON only. Names are unique per test so a shared real
/// Consul is left as found (everything registered is removed on dispose).
/// </summary>
public sealed partial class ConsulTarget : IAsyncDisposable
{
    private readonly List<string> _services = [];
    private readonly List<string> _keys = [];
    private readonly List<string> _sessions = [];

    private ConsulTarget(Uri address, ConsulTestAgent? agent, string? token)
    {
        Agent = agent;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            Http.DefaultRequestHeaders.Add("X-Consul-Token", token);
        }

        Prefix = "t" + Guid.NewGuid().ToString("N")[..10];
    }

    public static string? RealAddress => Environment.GetEnvironmentVariable("CONSUL_HTTP_ADDR") is { Length: > 0 } a
        ? a.Contains("://", StringComparison.Ordinal) ? a : "http://" + a
        : null;

    public static bool IsReal => RealAddress is not null;

    /// <summary>Gets the test agent, or null against a real Consul.</summary>
    public ConsulTestAgent? Agent { get; }

    public HttpClient Http { get; }

    /// <summary>Gets a unique prefix for this test's names.</summary>
    public string Prefix { get; }

    public static async Task<ConsulTarget> StartAsync()
    {
        if (RealAddress is { } real)
        {
            return new ConsulTarget(new Uri(real), null, Environment.GetEnvironmentVariable("CONSUL_HTTP_TOKEN"));
        }

        var agent = await ConsulTestAgent.StartAsync(new ConsulTestAgentOptions { NodeName = "node1" }, TestContext.Current.CancellationToken);
        return new ConsulTarget(agent.Address, agent, null);
    }

    /// <summary>Starts a test agent with specific options; skips against a real Consul, which cannot be configured per test.</summary>
    public static async Task<ConsulTarget> StartAgentAsync(ConsulTestAgentOptions options, string why)
    {
        if (IsReal)
        {
            Assert.Skip($"needs the test agent: {why}");
        }

        var agent = await ConsulTestAgent.StartAsync(options, TestContext.Current.CancellationToken);
        return new ConsulTarget(agent.Address, agent, null);
    }

    /// <summary>Returns the test agent, or skips the test against a real Consul.</summary>
    public ConsulTestAgent RequireAgent(string why)
    {
        if (Agent is null)
        {
            Assert.Skip($"needs the test agent: {why}");
        }

        return Agent;
    }

    /// <summary>A unique name for this test.</summary>
    public string Name(string suffix) => $"{Prefix}-{suffix}";

    public async Task<Reply> SendAsync(HttpMethod method, string pathAndQuery, string? body = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = null;
        }

        if (token is not null)
        {
            request.Headers.Add("X-Consul-Token", token);
        }

        TrackForCleanup(method, pathAndQuery, body);
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new Reply((int)response.StatusCode, text, response.Headers, response.Content.Headers);
    }

    public Task<Reply> GetAsync(string pathAndQuery, string? token = null) => SendAsync(HttpMethod.Get, pathAndQuery, null, token);

    public Task<Reply> PutAsync(string pathAndQuery, string? body = null, string? token = null) => SendAsync(HttpMethod.Put, pathAndQuery, body, token);

    public Task<Reply> DeleteAsync(string pathAndQuery, string? token = null) => SendAsync(HttpMethod.Delete, pathAndQuery, null, token);

    /// <summary>Registers a service and asserts Consul accepted it.</summary>
    public async Task RegisterAsync(string json)
    {
        var reply = await PutAsync("/v1/agent/service/register", json);
        Assert.True(reply.Status == 200, $"register failed: {reply.Status} {reply.Text}");
    }

    public async ValueTask DisposeAsync()
    {
        if (Agent is null)
        {
            foreach (var id in _services)
            {
                using var _ = await Http.PutAsync($"/v1/agent/service/deregister/{Uri.EscapeDataString(id)}", null);
            }

            foreach (var session in _sessions)
            {
                using var _ = await Http.PutAsync($"/v1/session/destroy/{session}", null);
            }

            foreach (var key in _keys)
            {
                using var _ = await Http.DeleteAsync($"/v1/kv/{key}?recurse");
            }
        }

        Http.Dispose();
        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }
    }

    private void TrackForCleanup(HttpMethod method, string path, string? body)
    {
        if (Agent is not null || method != HttpMethod.Put)
        {
            return;
        }

        if (path.StartsWith("/v1/agent/service/register", StringComparison.Ordinal) && body is not null)
        {
            try
            {
                if (JsonNode.Parse(body) is JsonObject o)
                {
                    var id = o.FirstOrDefault(p => p.Key.Equals("ID", StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>()
                        ?? o.FirstOrDefault(p => p.Key.Equals("Name", StringComparison.OrdinalIgnoreCase)).Value?.GetValue<string>();
                    if (id is not null)
                    {
                        _services.Add(id);
                    }
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Deliberately malformed bodies register nothing.
            }
        }
        else if (path.StartsWith("/v1/kv/", StringComparison.Ordinal))
        {
            _keys.Add(path["/v1/kv/".Length..].Split('?')[0]);
        }
    }
}

/// <summary>One raw HTTP answer.</summary>
public sealed record Reply(int Status, string Text, HttpResponseHeaders Headers, HttpContentHeaders ContentHeaders)
{
    public JsonNode Json => JsonNode.Parse(Text) ?? throw new InvalidOperationException("null JSON");

    public string? Header(string name) =>
        Headers.TryGetValues(name, out var v) ? string.Join(",", v)
        : ContentHeaders.TryGetValues(name, out var c) ? string.Join(",", c) : null;

    public ulong Index => ulong.Parse(Header("X-Consul-Index") ?? throw new InvalidOperationException("no X-Consul-Index"), System.Globalization.CultureInfo.InvariantCulture);
}
