// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using BenchmarkDotNet.Attributes;
using CatalogGrpc;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// Per-call cost of a <c>consul://</c> channel against a channel to the same server's fixed address: unary calls over
/// warm channels to one loopback gRPC server (h2c). The third channel is the fixed address through Grpc.Net.Client's
/// own round-robin balancer (a static resolver), which tells the balancer's cost from the resolver's: the resolver is
/// not on the call path, it only publishes addresses when the cache changes. The fourth is a channel with a custom
/// scheme through Grpc.Net.Client's own static resolver: what any non-http address costs per call, resolver aside.
/// </summary>
[MemoryDiagnoser]
public class GrpcResolverBenchmarks
{
    private readonly GetItemRequest _request = new() { Id = 1 };
    private BenchmarkHost _host = null!;
    private WebApplication _server = null!;
    private GrpcChannel _fixed = null!;
    private GrpcChannel _fixedRoundRobin = null!;
    private GrpcChannel _consul = null!;
    private GrpcChannel _static = null!;
    private Catalog.CatalogClient _staticClient = null!;
    private Catalog.CatalogClient _fixedClient = null!;
    private Catalog.CatalogClient _fixedRoundRobinClient = null!;
    private Catalog.CatalogClient _consulClient = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _server = await StartServerAsync().ConfigureAwait(false);
        var port = new Uri(_server.Urls.Single()).Port;

        // Both custom-scheme channels get the same services (logging included), so they differ by their resolver only.
        _host = await BenchmarkHost.StartAsync(configureServices: s => s
            .AddConsulGrpcResolver()
            .AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => [new BalancerAddress("127.0.0.1", port)]))).ConfigureAwait(false);
        await _host.RegisterAsync("catalog-grpc-0", "catalog-grpc", port).ConfigureAwait(false);

        _fixed = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
        _fixedRoundRobin = GrpcChannel.ForAddress($"http://127.0.0.1:{port}", new GrpcChannelOptions
        {
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } },
        });
        _consul = GrpcChannel.ForAddress("consul://catalog-grpc", new GrpcChannelOptions { ServiceProvider = _host.Services, Credentials = ChannelCredentials.Insecure });
        _static = GrpcChannel.ForAddress("static://catalog-grpc", new GrpcChannelOptions
        {
            ServiceProvider = _host.Services,
            Credentials = ChannelCredentials.Insecure,
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } },
        });
        _staticClient = new Catalog.CatalogClient(_static);
        _fixedClient = new Catalog.CatalogClient(_fixed);
        _fixedRoundRobinClient = new Catalog.CatalogClient(_fixedRoundRobin);
        _consulClient = new Catalog.CatalogClient(_consul);

        // Warm: connections open, the resolver has published, the JIT has seen every path.
        for (var i = 0; i < 200; i++)
        {
            await FixedAsync().ConfigureAwait(false);
            await FixedRoundRobinAsync().ConfigureAwait(false);
            await ConsulAsync().ConfigureAwait(false);
            await StaticAsync().ConfigureAwait(false);
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _fixed.Dispose();
        _fixedRoundRobin.Dispose();
        _consul.Dispose();
        _static.Dispose();
        await _server.DisposeAsync().ConfigureAwait(false);
        await _host.DisposeAsync().ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, Description = "Unary call, http://127.0.0.1:port channel")]
    public async Task<int> FixedAsync() => (await _fixedClient.GetItemAsync(_request).ConfigureAwait(false)).Id;

    [Benchmark(Description = "Unary call, fixed address through round_robin")]
    public async Task<int> FixedRoundRobinAsync() => (await _fixedRoundRobinClient.GetItemAsync(_request).ConfigureAwait(false)).Id;

    [Benchmark(Description = "Unary call, consul://catalog-grpc channel")]
    public async Task<int> ConsulAsync() => (await _consulClient.GetItemAsync(_request).ConfigureAwait(false)).Id;

    [Benchmark(Description = "Unary call, static://catalog-grpc channel (Grpc.Net.Client's static resolver, same address)")]
    public async Task<int> StaticAsync() => (await _staticClient.GetItemAsync(_request).ConfigureAwait(false)).Id;

    private static async Task<WebApplication> StartServerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<ItemService>();
        await app.StartAsync().ConfigureAwait(false);
        return app;
    }

    private sealed class ItemService : Catalog.CatalogBase
    {
        private static readonly Item Answer = new() { Id = 1, Name = "Keyboard", InstanceId = "catalog-grpc-0" };

        public override Task<Item> GetItem(GetItemRequest request, ServerCallContext context) => Task.FromResult(Answer);
    }
}
