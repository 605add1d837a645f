// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>Drives a <see cref="ConsulTestAgent"/> over its HTTP API as another service would: register, TTL, maintenance, deregister.</summary>
internal sealed class AgentRegistrar(ConsulTestAgent agent) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = agent.Address };

    /// <summary>Registers an instance with a TTL check in <paramref name="status"/>.</summary>
    public async Task RegisterAsync(string id, string name = "catalog", int port = 8080, string status = "passing", string[]? tags = null, string address = "127.0.0.1")
    {
        var body = new JsonObject
        {
            ["ID"] = id,
            ["Name"] = name,
            ["Address"] = address,
            ["Port"] = port,
            ["Tags"] = new JsonArray([.. (tags ?? []).Select(t => (JsonNode)JsonValue.Create(t))]),
            ["Check"] = new JsonObject { ["CheckID"] = $"{id}-ttl", ["TTL"] = "10m", ["Status"] = status },
        };
        using var response = await _http.PutAsJsonAsync("/v1/agent/service/register", body, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public Task SetStatusAsync(string id, string status) => PutAsync($"/v1/agent/check/{status switch { "passing" => "pass", "warning" => "warn", _ => "fail" }}/{id}-ttl");

    public Task MaintenanceAsync(string id, bool enable) => PutAsync($"/v1/agent/service/maintenance/{id}?enable={(enable ? "true" : "false")}&reason=test");

    public Task DeregisterAsync(string id) => PutAsync($"/v1/agent/service/deregister/{id}");

    public void Dispose() => _http.Dispose();

    private async Task PutAsync(string path)
    {
        using var response = await _http.PutAsync(path, content: null, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }
}
