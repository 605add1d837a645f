// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>Drives a <see cref="ConsulTarget"/> over its HTTP API as another service would: register, TTL, maintenance, deregister.</summary>
internal sealed class AgentRegistrar : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly List<string> _registered = [];
    private readonly string _suffix;

    public AgentRegistrar(ConsulTarget consul)
    {
        _http = new HttpClient { BaseAddress = consul.Address };
        if (!string.IsNullOrEmpty(consul.Token))
        {
            _http.DefaultRequestHeaders.Add("X-Consul-Token", consul.Token);
        }

        // A private test agent holds only this test's services; a shared real Consul needs names of its own per test.
        _suffix = consul.IsRealConsul ? "-" + Guid.NewGuid().ToString("N")[..8] : "";
    }

    /// <summary>This test's name for service <paramref name="name"/>.</summary>
    public string Name(string name) => name + _suffix;

    /// <summary>This test's id for instance <paramref name="id"/>.</summary>
    public string Id(string id) => id + _suffix;

    /// <summary>Registers an instance with a TTL check in <paramref name="status"/> (no check at all when <paramref name="status"/> is <see langword="null"/>).</summary>
    public async Task RegisterAsync(string id, string name = "catalog", int port = 8080, string? status = "passing", string[]? tags = null, string address = "127.0.0.1")
    {
        id = Id(id);
        _registered.Add(id);
        var body = new JsonObject
        {
            ["ID"] = id,
            ["Name"] = Name(name),
            ["Address"] = address,
            ["Port"] = port,
            ["Tags"] = new JsonArray([.. (tags ?? []).Select(t => (JsonNode)JsonValue.Create(t))]),
        };
        if (status is not null)
        {
            body["Check"] = new JsonObject { ["CheckID"] = $"{id}-ttl", ["TTL"] = "10m", ["Status"] = status };
        }

        using var response = await _http.PutAsJsonAsync("/v1/agent/service/register", body, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public Task SetStatusAsync(string id, string status) => PutAsync($"/v1/agent/check/{status switch { "passing" => "pass", "warning" => "warn", _ => "fail" }}/{Id(id)}-ttl");

    public Task MaintenanceAsync(string id, bool enable) => PutAsync($"/v1/agent/service/maintenance/{Id(id)}?enable={(enable ? "true" : "false")}&reason=test");

    public Task DeregisterAsync(string id) => PutAsync($"/v1/agent/service/deregister/{Id(id)}");

    /// <summary>Consul's own answer: the ids of <paramref name="name"/>'s instances whose checks all pass (<c>?passing</c>).</summary>
    public async Task<IReadOnlySet<string>> PassingIdsAsync(string name)
    {
        var entries = await _http.GetFromJsonAsync<JsonArray>($"/v1/health/service/{Name(name)}?passing", TestContext.Current.CancellationToken);
        return entries!.Select(e => (string)e!["Service"]!["ID"]!).ToHashSet(StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        // Leave a shared real Consul as it was; a private test agent is thrown away anyway.
        if (_suffix.Length > 0)
        {
            foreach (var id in _registered)
            {
                using var response = await _http.PutAsync($"/v1/agent/service/deregister/{id}", content: null, CancellationToken.None);
            }
        }

        _http.Dispose();
    }

    private async Task PutAsync(string path)
    {
        using var response = await _http.PutAsync(path, content: null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
