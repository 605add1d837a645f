// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// The server side against a Consul agent's own CA and authorization: <see cref="ConsulTestAgent"/>, or the real Consul
/// named by <c>CONSUL_HTTP_ADDR</c> (tests that need the agent's settings skip there). The caller "orders" presents the
/// leaf the agent issues it.
/// </summary>
public sealed class ConnectAgentTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CallerWithItsAgentLeaf_ReachesTheApp()
    {
        await using var target = await ConsulTarget.StartAsync();
        var (orders, roots) = await CallerAsync(target, "orders");
        await using var server = await ConnectServer.StartAsync(api: null, roots, cacheDuration: null, Settings(target));

        Assert.Equal("HTTP/2", await server.CallAsync(orders));
        Assert.Equal(1, server.AppRequests);
        orders.Dispose();
    }

    [Fact]
    public async Task AgentWithoutConnect_StartUpFailsNamingTheSetting()
    {
        var options = new ConsulTestAgentOptions();
        options.Connect.Enabled = false;
        await using var target = await ConsulTarget.StartAsync(options);
        target.RequireTestAgent("it needs an agent with Connect disabled");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ConnectServer.StartAsync(api: null, [], cacheDuration: null, Settings(target)));

        Assert.Contains("Consul:Connect:Enabled is true", error.Message, StringComparison.Ordinal);
        Assert.Contains("Connect must be enabled in order to use this endpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("Enable Connect on the agent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultIntentionPolicyDeny_RefusesTheCaller_AndLogsConsulsReason()
    {
        var options = new ConsulTestAgentOptions();
        options.Connect.DefaultIntentionPolicy = "deny";
        await using var target = await ConsulTarget.StartAsync(options);
        target.RequireTestAgent("it needs an agent whose default intention policy is deny");
        var (orders, roots) = await CallerAsync(target, "orders");
        await using var server = await ConnectServer.StartAsync(api: null, roots, cacheDuration: null, Settings(target));

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => server.CallAsync(orders));

        Assert.Equal(0, server.AppRequests);
        var denied = Assert.Single(server.Logged("ConnectCallerDenied"));
        Assert.Contains("/svc/orders", denied.Message, StringComparison.Ordinal);
        Assert.Contains("Default intention policy", denied.Message, StringComparison.Ordinal);
        orders.Dispose();
    }

    private static Dictionary<string, string?> Settings(ConsulTarget target) => new()
    {
        ["Consul:Address"] = target.Address.ToString(),
        ["Consul:Token"] = target.Token,
    };

    /// <summary>The leaf (with its key) the agent issues <paramref name="service"/>, and the agent's roots.</summary>
    internal static async Task<(X509Certificate2 Certificate, X509Certificate2Collection Roots)> CallerAsync(ConsulTarget target, string service)
    {
        using var http = target.CreateHttpClient();
        using var leaf = await http.GetFromJsonAsync<JsonDocument>($"v1/agent/connect/ca/leaf/{service}", Ct);
        using var rootsAnswer = await http.GetFromJsonAsync<JsonDocument>("v1/agent/connect/ca/roots", Ct);
        using var ephemeral = X509Certificate2.CreateFromPem(leaf!.RootElement.GetProperty("CertPEM").GetString(), leaf.RootElement.GetProperty("PrivateKeyPEM").GetString());
        var certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
        var roots = new X509Certificate2Collection();
        foreach (var root in rootsAnswer!.RootElement.GetProperty("Roots").EnumerateArray())
        {
            roots.Add(X509Certificate2.CreateFromPem(root.GetProperty("RootCert").GetString()));
        }

        return (certificate, roots);
    }
}
