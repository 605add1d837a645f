// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.Tests.Cluster;

/// <summary>Raw HTTP against one agent of a cluster, as any Consul client would talk to it.</summary>
internal static class ClusterClient
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(60) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<(int Status, JsonNode? Json, ulong Index)> GetAsync(ConsulTestAgent agent, string pathAndQuery)
    {
        using var response = await Http.GetAsync(new Uri(agent.Address, pathAndQuery), Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var index = response.Headers.TryGetValues("X-Consul-Index", out var values)
            ? ulong.Parse(values.Single(), CultureInfo.InvariantCulture) : 0;
        return ((int)response.StatusCode, response.IsSuccessStatusCode ? JsonNode.Parse(text) : null, index);
    }

    /// <summary>Any request; the status and the body as text (errors are plain text).</summary>
    public static async Task<(int Status, string Text)> SendAsync(
        ConsulTestAgent agent, HttpMethod method, string pathAndQuery, string? body = null, string? forwardedFor = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(agent.Address, pathAndQuery));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
        }

        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await Http.SendAsync(request, Ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    /// <summary>Creates a prepared query (<c>POST /v1/query</c>) and returns its ID.</summary>
    public static async Task<string> CreateQueryAsync(ConsulTestAgent agent, string json, string query = "")
    {
        var (status, text) = await SendAsync(agent, HttpMethod.Post, "/v1/query" + query, json);
        Assert.True(status == 200, $"POST /v1/query on {agent.NodeName}: {status} {text}");
        return (string)JsonNode.Parse(text)!["ID"]!;
    }

    public static async Task PutAsync(ConsulTestAgent agent, string path, string? body = null)
    {
        using var content = new StringContent(body ?? string.Empty, Encoding.UTF8, "application/json");
        using var response = await Http.PutAsync(new Uri(agent.Address, path), content, Ct);
        Assert.True(response.IsSuccessStatusCode, $"PUT {path} on {agent.NodeName}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(Ct)}");
    }

    /// <summary>Registers <paramref name="id"/> of service <c>web</c> with a passing TTL check.</summary>
    public static Task RegisterWebAsync(ConsulTestAgent agent, string id, int port = 8080) => PutAsync(
        agent,
        "/v1/agent/service/register",
        $$$"""{"ID":"{{{id}}}","Name":"web","Address":"127.0.0.1","Port":{{{port}}},"Check":{"TTL":"10m","Status":"passing"}}""");

    /// <summary>The <c>/v1/health/service/web</c> entries as (node, service ID, worst check status, serfHealth output).</summary>
    public static async Task<List<(string Node, string Id, string Status, string SerfOutput)>> WebHealthAsync(ConsulTestAgent agent, string query = "")
    {
        var (_, json, _) = await GetAsync(agent, "/v1/health/service/web" + query);
        return [.. json!.AsArray().Select(e =>
        {
            var checks = e!["Checks"]!.AsArray().Select(c => (Id: (string)c!["CheckID"]!, Status: (string)c["Status"]!, Output: (string)c["Output"]!)).ToList();
            var status = checks.Any(c => c.Status == "critical") ? "critical" : checks.Any(c => c.Status == "warning") ? "warning" : "passing";
            return ((string)e["Node"]!["Node"]!, (string)e["Service"]!["ID"]!, status, checks.Single(c => c.Id == "serfHealth").Output);
        })];
    }
}
