// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Grpc.Client;

namespace ServiceDiscovery.AspNetCore.Grpc.Tests.TestInfrastructure;

/// <summary>A resolver from <see cref="ConsulResolverFactory"/> over a <see cref="FakeDiscovery"/>, recording what it publishes.</summary>
internal sealed class ResolverHarness : IDisposable
{
    private readonly List<ResolverResult> _results = [];

    public ResolverHarness(FakeDiscovery discovery, GrpcChannelOptions? channel = null, string address = "consul://catalog")
    {
        Discovery = discovery;
        Factory = new ConsulResolverFactory(discovery, new ConsulResolverSettings(Time, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)), NullLoggerFactory.Instance);
        Resolver = Factory.Create(Options(new Uri(address), channel ?? new GrpcChannelOptions { Credentials = ChannelCredentials.Insecure }));
    }

    public FakeDiscovery Discovery { get; }

    public FakeTimeProvider Time { get; } = new();

    public ConsulResolverFactory Factory { get; }

    public Resolver Resolver { get; }

    public IReadOnlyList<ResolverResult> Results
    {
        get
        {
            lock (_results)
            {
                return [.. _results];
            }
        }
    }

    public ResolverResult Last => Results[^1];

    /// <summary>The endpoints of the last published result, as host:port.</summary>
    public IReadOnlyList<string> LastEndpoints => [.. Last.Addresses!.Select(a => $"{a.EndPoint.Host}:{a.EndPoint.Port}")];

    public void Start() => Resolver.Start(r =>
    {
        lock (_results)
        {
            _results.Add(r);
        }
    });

    public void Dispose() => Resolver.Dispose();

    /// <summary>Grpc.Net.Client makes <see cref="ResolverOptions"/> itself (its constructor is internal); the factory tests make one the same way.</summary>
    public static ResolverOptions Options(Uri address, GrpcChannelOptions channel)
    {
        var constructor = typeof(ResolverOptions).GetConstructors(BindingFlags.Instance | BindingFlags.NonPublic).Single();
        return (ResolverOptions)constructor.Invoke([address, 80, NullLoggerFactory.Instance, channel]);
    }
}
