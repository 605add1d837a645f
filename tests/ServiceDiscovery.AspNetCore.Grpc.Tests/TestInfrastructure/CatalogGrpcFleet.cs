// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography.X509Certificates;
using CatalogGrpc.Api;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Grpc.Tests.TestInfrastructure;

/// <summary>
/// Instances of <c>samples/CatalogGrpc.Api</c> on real Kestrel (h2c, or TLS with a certificate), registered with a
/// Consul gRPC check in the <see cref="ConsulTarget"/>, and gRPC channels to them through <c>consul://</c>.
/// </summary>
internal sealed class CatalogGrpcFleet(ConsulTarget consul, string serviceName) : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly List<CatalogInstance> _instances = [];
    private readonly List<ServiceProvider> _clients = [];

    public string ServiceName => serviceName;

    /// <summary>Starts an instance and waits until Consul's gRPC check of it passes.</summary>
    public async Task<CatalogInstance> StartAsync(X509Certificate2? certificate = null, IDictionary<string, string?>? settings = null, bool waitUntilPassing = true)
    {
        var app = CatalogGrpcApp.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Consul:Address"] = consul.Address.ToString(),
                ["Consul:Token"] = consul.Token,
                ["Consul:Service:Name"] = serviceName,
                ["Consul:Check:Kind"] = "Grpc",
                ["Consul:Check:Interval"] = "00:00:01",
                ["Consul:Check:Timeout"] = "00:00:01",
                ["Consul:Check:TlsSkipVerify"] = certificate is null ? "false" : "true",
                ["Consul:Registration:DrainDelay"] = "00:00:01",
            });
            if (settings is not null)
            {
                builder.Configuration.AddInMemoryCollection(settings);
            }

            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            }));
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var instance = new CatalogInstance(app);
        _instances.Add(instance);
        if (waitUntilPassing)
        {
            await WaitUntilPassingAsync(instance);
        }

        return instance;
    }

    public Task WaitUntilPassingAsync(CatalogInstance instance)
        => consul.WaitUntilAsync(s => s.CheckStatus(instance.Id) == "passing", Deadline, $"the gRPC check of {instance.Id} passes");

    /// <summary>A channel to <c>consul://{service}</c>, with its own discovery cache, as a client app has.</summary>
    public GrpcChannel Channel(ChannelCredentials credentials, HttpMessageHandler? handler = null)
    {
        var provider = ClientServices().BuildServiceProvider();
        _clients.Add(provider);
        return GrpcChannel.ForAddress($"consul://{serviceName}", new GrpcChannelOptions { ServiceProvider = provider, Credentials = credentials, HttpHandler = handler });
    }

    /// <summary>A client app's services: logging, the discovery cache pointed at the target, the <c>consul://</c> resolver.</summary>
    public ServiceCollection ClientServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddConsulDiscoveryCache(o =>
        {
            o.Address = consul.DiscoveryAddress.ToString();
            o.Token = consul.Token;
        });
        services.AddConsulGrpcResolver();
        return services;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        foreach (var client in _clients)
        {
            await client.DisposeAsync();
        }
    }
}

/// <summary>One running instance of the sample.</summary>
internal sealed class CatalogInstance(WebApplication app) : IAsyncDisposable
{
    private bool _stopped;

    public WebApplication App => app;

    public string Id => app.Services.GetRequiredService<IConsulRegistration>().ServiceId!;

    public ServingState Health => app.Services.GetRequiredService<ServingState>();

    /// <summary>Stops the instance as Ctrl+C or SIGTERM would: deregister, drain, then Kestrel's graceful shutdown.</summary>
    public async Task StopAsync()
    {
        _stopped = true;
        await app.StopAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            await StopAsync();
        }

        await app.DisposeAsync();
    }
}
