// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Tests.Http;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// The calling side of the client tests: a host "orders" with <c>AddConsulConnect()</c> (its Connect API faked by a
/// <see cref="FakeConsulConnectApi"/>, so a test can renew its leaf) and an HttpClient "catalog" with
/// <c>AddConsulLoadBalancing()</c> over a <see cref="FakeServiceDiscovery"/>.
/// </summary>
internal sealed class ConnectOrdersApp : IAsyncDisposable
{
    private readonly IHost _host;

    private ConnectOrdersApp(IHost host)
    {
        _host = host;
        Http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("catalog");
    }

    public HttpClient Http { get; }

    public IServiceProvider Services => _host.Services;

    public static Task<ConnectOrdersApp> StartAsync(FakeServiceDiscovery discovery, TestConnectCa ca)
        => StartAsync(discovery, new FakeConsulConnectApi(ca.Roots(), ca.AgentLeaf("orders")));

    public static async Task<ConnectOrdersApp> StartAsync(FakeServiceDiscovery discovery, FakeConsulConnectApi api, TimeProvider? time = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Connect:Enabled"] = "true",
            ["Consul:Service:Name"] = "orders",
        });
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddFakeLogging();
        builder.Services.AddSingleton<IConsulConnectApi>(api);
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddSingleton<IConsulServiceDiscovery>(discovery);
        builder.Services.AddConsulConnect();
        builder.Services.AddHttpClient("catalog").AddConsulLoadBalancing();
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return new ConnectOrdersApp(host);
    }

    /// <summary>A Connect-native instance of <paramref name="service"/> on loopback <paramref name="port"/>, in <paramref name="datacenter"/>.</summary>
    public static ConsulServiceInstance Native(string service, int port, string datacenter)
        => new($"{service}-1", service, "127.0.0.1", port, "https", datacenter: datacenter, node: "node-1") { IsConnectNative = true };

    public IEnumerable<FakeLogRecord> Logged(string eventName) => _host.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Name == eventName);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }
}
