// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// A real Kestrel app on loopback port 0 that takes part in Connect as an application would: <c>AddConsulDiscovery()</c>
/// (registered as Connect-native, reporting a TTL check, so the agent need not reach it) and <c>AddConsulConnect()</c>,
/// against a <see cref="ConsulTarget"/>. Records every leaf it has held.
/// </summary>
internal sealed class MeshApp : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, X509Certificate2> _leaves = new(StringComparer.Ordinal);

    private MeshApp(WebApplication app, string name)
    {
        App = app;
        Name = name;
        Source = app.Services.GetRequiredService<ConnectCertificateSource>();
        Source.Changed += Record;
        Record();
    }

    public WebApplication App { get; }

    /// <summary>The service name it registered as.</summary>
    public string Name { get; }

    public ConnectCertificateSource Source { get; }

    /// <summary>Every leaf it has held (start-up's and each renewal's), by serial.</summary>
    public ICollection<X509Certificate2> Leaves => _leaves.Values;

    /// <summary>The authority key id (hex) of the leaf it holds now: which root signed it.</summary>
    public string? LeafKeyId => Source.Leaf?.Certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier is { } id
        ? Convert.ToHexString(id.Span)
        : null;

    public static async Task<MeshApp> StartAsync(ConsulTarget target, string name, Action<WebApplication>? configureApp = null, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls("https://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = target.Address.ToString(),
            ["Consul:Token"] = target.Token,
            ["Consul:Service:Name"] = name,
            ["Consul:Connect:Enabled"] = "true",
            ["Consul:Check:Kind"] = "Ttl",
            ["Consul:Check:Ttl"] = "00:00:10",
            ["Consul:Registration:DrainDelay"] = "00:00:00",
        });

        // Connect's own events (refusals at Information) are kept; the per-request noise of a load test is not.
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddFilter("ServiceDiscovery.AspNetCore.Connect", LogLevel.Information).AddFakeLogging();
        builder.Services.AddConsulDiscovery();
        builder.Services.AddConsulConnect();
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        configureApp?.Invoke(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new MeshApp(app, name);
    }

    /// <summary>Connect's warnings and refusals, for a failing assertion's message.</summary>
    public string RefusalLog() => string.Join('\n', App.Services.GetFakeLogCollector().GetSnapshot()
        .Where(r => r.Level >= LogLevel.Warning || r.Id.Name is "ConnectHandshakeRefused")
        .Take(20)
        .Select(r => $"{Name}: {r.Id.Name}: {r.Message}"));

    public async ValueTask DisposeAsync()
    {
        Source.Changed -= Record;
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }

    private void Record()
    {
        if (Source.Leaf is { } leaf)
        {
            _leaves.TryAdd(leaf.SerialNumber, leaf.Certificate);
        }
    }
}
