// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// What Connect costs a request (docs/connect.md, "Measured"), all against one in-process <see cref="ConsulTestAgent"/>
/// and its CA, on loopback:
/// a request over a pooled connection, plain HTTP (the baseline) against Connect mTLS, and against TLS without Connect
/// (server certificate only, and Kestrel's mTLS) to separate what TLS itself costs from what Connect adds; and a request on a new
/// connection, whose TLS handshake is either Kestrel's mTLS with a validation that accepts (no Connect), Connect with
/// the authorization answer cached, or Connect asking the agent on every handshake (<c>AuthorizationCacheDuration</c> 0).
/// </summary>
[MemoryDiagnoser]
public class ConnectBenchmarks
{
    private ConsulTestAgent _agent = null!;
    private WebApplication _connect = null!;
    private WebApplication _uncached = null!;
    private WebApplication _plainTls = null!;
    private WebApplication _serverTls = null!;
    private X509Certificate2 _caller = null!;
    private X509Certificate2Collection _roots = null!;
    private HttpClient _pooledPlain = null!;
    private HttpClient _pooledMtls = null!;
    private HttpClient _pooledPlainMtls = null!;
    private HttpClient _pooledServerTls = null!;
    private Uri _plainUri = null!;
    private Uri _mtlsUri = null!;
    private Uri _uncachedUri = null!;
    private Uri _plainTlsUri = null!;
    private Uri _serverTlsUri = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _agent = await ConsulTestAgent.StartAsync().ConfigureAwait(false);
        using (var http = new HttpClient { BaseAddress = _agent.Address })
        {
            using var leaf = await http.GetFromJsonAsync<JsonDocument>("v1/agent/connect/ca/leaf/orders").ConfigureAwait(false);
            using var roots = await http.GetFromJsonAsync<JsonDocument>("v1/agent/connect/ca/roots").ConfigureAwait(false);
            using var ephemeral = X509Certificate2.CreateFromPem(leaf!.RootElement.GetProperty("CertPEM").GetString(), leaf.RootElement.GetProperty("PrivateKeyPEM").GetString());
            _caller = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), password: null);
            _roots = [.. roots!.RootElement.GetProperty("Roots").EnumerateArray().Select(r => X509Certificate2.CreateFromPem(r.GetProperty("RootCert").GetString()))];
        }

        _connect = await StartConnectAsync(TimeSpan.FromMinutes(1)).ConfigureAwait(false);
        _uncached = await StartConnectAsync(TimeSpan.Zero).ConfigureAwait(false);
        _plainTls = await StartPlainTlsAsync(_caller, ClientCertificateMode.RequireCertificate).ConfigureAwait(false);
        _serverTls = await StartPlainTlsAsync(_caller, ClientCertificateMode.NoCertificate).ConfigureAwait(false);
        _plainUri = new Uri(new Uri(_connect.Urls.Single(u => u.StartsWith("http://", StringComparison.Ordinal))), "/health");
        _mtlsUri = new Uri(new Uri(_connect.Urls.Single(u => u.StartsWith("https://", StringComparison.Ordinal))), "/health");
        _uncachedUri = new Uri(new Uri(_uncached.Urls.Single(u => u.StartsWith("https://", StringComparison.Ordinal))), "/health");
        _plainTlsUri = new Uri(new Uri(_plainTls.Urls.Single()), "/health");
        _serverTlsUri = new Uri(new Uri(_serverTls.Urls.Single()), "/health");
        _pooledPlain = new HttpClient();
        _pooledMtls = Caller();
        _pooledPlainMtls = Caller();
        _pooledServerTls = Caller();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _pooledPlain.Dispose();
        _pooledMtls.Dispose();
        _pooledPlainMtls.Dispose();
        _pooledServerTls.Dispose();
        foreach (var app in new[] { _connect, _uncached, _plainTls, _serverTls })
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }

        await _agent.DisposeAsync().ConfigureAwait(false);
        _caller.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Pooled connection, plain HTTP")]
    public Task<int> PooledPlainAsync() => GetAsync(_pooledPlain, _plainUri);

    [Benchmark(Description = "Pooled connection, Connect mTLS")]
    public Task<int> PooledMtlsAsync() => GetAsync(_pooledMtls, _mtlsUri);

    [Benchmark(Description = "Pooled connection, TLS (server certificate only)")]
    public Task<int> PooledServerTlsAsync() => GetAsync(_pooledServerTls, _serverTlsUri);

    [Benchmark(Description = "Pooled connection, mTLS without Connect checks")]
    public Task<int> PooledPlainMtlsAsync() => GetAsync(_pooledPlainMtls, _plainTlsUri);

    [Benchmark(Description = "New connection, mTLS without Connect checks")]
    public Task<int> NewPlainMtlsAsync() => NewConnectionAsync(_plainTlsUri);

    [Benchmark(Description = "New connection, Connect (authorization cached)")]
    public Task<int> NewConnectCachedAsync() => NewConnectionAsync(_mtlsUri);

    [Benchmark(Description = "New connection, Connect (agent asked every handshake)")]
    public Task<int> NewConnectUncachedAsync() => NewConnectionAsync(_uncachedUri);

    private async Task<int> NewConnectionAsync(Uri uri)
    {
        using var client = Caller();
        return await GetAsync(client, uri).ConfigureAwait(false);
    }

    private static async Task<int> GetAsync(HttpClient client, Uri uri)
    {
        using var response = await client.GetAsync(uri).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return (int)response.StatusCode;
    }

    private HttpClient Caller() => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            LocalCertificateSelectionCallback = (_, _, _, _, _) => _caller,
            RemoteCertificateValidationCallback = (_, presented, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return presented is X509Certificate2 server && chain.Build(server);
            },
        },
    });

    private async Task<WebApplication> StartConnectAsync(TimeSpan cache)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls("https://127.0.0.1:0", "http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = _agent.Address.ToString(),
            ["Consul:Service:Name"] = "catalog",
            ["Consul:Connect:Enabled"] = "true",
            ["Consul:Connect:AuthorizationCacheDuration"] = cache.ToString("c"),
        });
        builder.Services.AddConsulConnect();
        var app = builder.Build();
        app.MapGet("/health", () => "ok");
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    private static async Task<WebApplication> StartPlainTlsAsync(X509Certificate2 certificate, ClientCertificateMode clientCertificates)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificate,
                ClientCertificateMode = clientCertificates,
                ClientCertificateValidation = (_, _, _) => true,
            });
        }));
        var app = builder.Build();
        app.MapGet("/health", () => "ok");
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }
}
