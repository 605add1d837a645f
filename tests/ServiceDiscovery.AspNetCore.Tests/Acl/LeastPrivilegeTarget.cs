// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Acl;

/// <summary>
/// A Consul with ACLs on and default deny (the test agent, or a real one with a management <c>CONSUL_HTTP_TOKEN</c>),
/// where tokens holding exactly given rules are made through Consul's own ACL API and removed afterwards.
/// </summary>
internal sealed class LeastPrivilegeTarget : IAsyncDisposable
{
    private const string AgentManagementToken = "9d3b1f62-7c1e-4e5a-b0c4-6a2f8e1d3c57";
    private readonly List<string> _cleanup = [];
    private readonly HttpClient _management;

    private LeastPrivilegeTarget(ConsulTarget consul, string management)
    {
        Consul = consul;
        _management = new HttpClient { BaseAddress = consul.Address };
        _management.DefaultRequestHeaders.Add("X-Consul-Token", management);
    }

    public ConsulTarget Consul { get; }

    public HttpClient Management => _management;

    public static async Task<LeastPrivilegeTarget> StartAsync()
    {
        if (ConsulTarget.RealConsulAddress is not null)
        {
            var token = Environment.GetEnvironmentVariable("CONSUL_HTTP_TOKEN");
            if (string.IsNullOrEmpty(token))
            {
                Assert.Skip("least-privilege tests need a management token in CONSUL_HTTP_TOKEN for the real Consul");
            }

            return new LeastPrivilegeTarget(await ConsulTarget.StartAsync(), token);
        }

        var options = new ConsulTestAgentOptions { NodeName = "node-1" };
        options.Acl.Enabled = true;
        options.Acl.ManagementToken = AgentManagementToken;
        return new LeastPrivilegeTarget(await ConsulTarget.StartAsync(options), AgentManagementToken);
    }

    /// <summary>A new token whose only policy holds <paramref name="rules"/>; returns its secret.</summary>
    public async Task<string> TokenAsync(IEnumerable<string> rules)
    {
        var policy = await PutAsync("/v1/acl/policy", new JsonObject { ["Name"] = $"least-privilege-{Guid.NewGuid():N}", ["Rules"] = string.Join('\n', rules) });
        _cleanup.Add($"/v1/acl/policy/{policy["ID"]}");
        var token = await PutAsync("/v1/acl/token", new JsonObject { ["Policies"] = new JsonArray(new JsonObject { ["ID"] = policy["ID"]!.GetValue<string>() }) });
        _cleanup.Add($"/v1/acl/token/{token["AccessorID"]}");
        return token["SecretID"]!.GetValue<string>();
    }

    /// <summary>Writes as an operator would, with the management token; KV keys written are deleted afterwards.</summary>
    public async Task PutRawAsync(string path, string body)
    {
        using var response = await _management.PutAsync(path, new StringContent(body), TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
        if (path.StartsWith("/v1/kv/", StringComparison.Ordinal))
        {
            _cleanup.Add(path);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var path in Enumerable.Reverse(_cleanup))
        {
            using var _ = await _management.DeleteAsync(path, CancellationToken.None);
        }

        _management.Dispose();
        await Consul.DisposeAsync();
    }

    private async Task<JsonObject> PutAsync(string path, JsonObject body)
    {
        using var response = await _management.PutAsJsonAsync(path, body, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }
}
