// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// A real Kestrel app "catalog" on loopback port 0 with <c>AddConsulConnect()</c>: one https:// endpoint (Connect) and
/// one http:// endpoint (for the health check), its Connect API faked by <see cref="FakeConsulConnectApi"/>. Callers
/// are plain <see cref="HttpClient"/>s presenting a certificate of the test's choice, each on a new connection.
/// </summary>
internal sealed class ConnectServer : IAsyncDisposable
{
    private int _appRequests;

    private ConnectServer(WebApplication app, FakeConsulConnectApi? api, X509Certificate2Collection trusted)
    {
        App = app;
        FakeApi = api;
        Trusted = trusted;
    }

    public WebApplication App { get; }

    /// <summary>The faked Connect API; throws when the server talks to a real agent.</summary>
    public FakeConsulConnectApi Api => FakeApi ?? throw new InvalidOperationException("This server talks to a real agent.");

    public FakeConsulConnectApi? FakeApi { get; }

    /// <summary>The roots callers trust for the server's certificate.</summary>
    public X509Certificate2Collection Trusted { get; }

    public Uri Https => new(App.Urls.Single(u => u.StartsWith("https://", StringComparison.Ordinal)));

    public Uri Http => new(App.Urls.Single(u => u.StartsWith("http://", StringComparison.Ordinal)));

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    /// <summary>Requests that reached the app's own endpoint (not the health path).</summary>
    public int AppRequests => Volatile.Read(ref _appRequests);

    public static Task<ConnectServer> StartAsync(TestConnectCa ca, Action<FakeConsulConnectApi>? arrange = null, TimeSpan? cacheDuration = null, Action<WebApplication>? configureApp = null)
    {
        var api = new FakeConsulConnectApi(ca.Roots(), ca.AgentLeaf("catalog"));
        arrange?.Invoke(api);
        return StartAsync(api, [ca.Root], cacheDuration, settings: null, configureApp);
    }

    /// <summary>
    /// Starts the app against <paramref name="api"/>, or the real client (with <paramref name="settings"/> naming the
    /// agent) when null; <paramref name="configureApp"/> maps endpoints beside <c>/health</c> and <c>/hello</c>.
    /// </summary>
    public static async Task<ConnectServer> StartAsync(FakeConsulConnectApi? api, X509Certificate2Collection trusted, TimeSpan? cacheDuration, Dictionary<string, string?>? settings, Action<WebApplication>? configureApp = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls("https://127.0.0.1:0", "http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Connect:Enabled"] = "true",
            ["Consul:Connect:AuthorizationCacheDuration"] = (cacheDuration ?? TimeSpan.FromMilliseconds(500)).ToString("c"),
            ["Consul:Service:Name"] = "catalog",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddFakeLogging();
        if (api is not null)
        {
            builder.Services.AddSingleton<IConsulConnectApi>(api);
        }

        builder.Services.AddConsulConnect();
        var app = builder.Build();
        var server = new ConnectServer(app, api, trusted);
        app.MapGet("/health", () => "healthy");
        app.MapGet("/hello", (HttpContext context) =>
        {
            Interlocked.Increment(ref server._appRequests);
            return context.Request.Protocol;
        });
        configureApp?.Invoke(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return server;
    }

    /// <summary>A caller on a new connection presenting <paramref name="certificate"/> (none when null), trusting only <paramref name="trusted"/> roots for the server.</summary>
    public static HttpClient Caller(X509Certificate2? certificate, X509Certificate2Collection trusted, Action<X509Certificate2>? onServerCertificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate!,
                RemoteCertificateValidationCallback = (_, presented, sent, _) =>
                {
                    if (presented is not X509Certificate2 server)
                    {
                        return false;
                    }

                    onServerCertificate?.Invoke(server);
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

                    // The certificates the server sent after its leaf (its intermediates) may complete the chain.
                    chain.ChainPolicy.ExtraStore.AddRange(sent?.ChainPolicy.ExtraStore ?? []);
                    return chain.Build(server);
                },
            },
        };
        return new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower };
    }

    /// <summary>GET /hello over a new connection with <paramref name="certificate"/>; the protocol the app saw.</summary>
    public async Task<string> CallAsync(X509Certificate2? certificate, Version? version = null, Action<X509Certificate2>? onServerCertificate = null)
    {
        using var client = Caller(certificate, Trusted, onServerCertificate);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Https, "/hello")) { Version = version ?? HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    public IEnumerable<FakeLogRecord> Logged(string eventName) => Logs.GetSnapshot().Where(r => r.Id.Name == eventName);

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}
