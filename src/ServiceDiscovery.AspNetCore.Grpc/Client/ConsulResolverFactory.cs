// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Grpc.Client;

/// <summary>
/// The <c>consul</c> scheme for Grpc.Net.Client: <c>consul://catalog</c> (or <c>consul:///catalog</c>) balances a
/// channel over the instances of Consul service <c>catalog</c>. The channel's credentials choose the instances (TLS:
/// <c>https</c>; plaintext: <c>h2c</c>, <c>grpc</c>, <c>http</c>). Unless the channel names a load-balancing policy in
/// its own service config, calls are spread round-robin.
/// </summary>
internal sealed class ConsulResolverFactory(IConsulServiceDiscovery discovery, ConsulResolverSettings settings, ILoggerFactory loggerFactory) : ResolverFactory
{
    /// <summary>The URI scheme.</summary>
    public const string Scheme = "consul";

    private static readonly ServiceConfig RoundRobin = new() { LoadBalancingConfigs = { new RoundRobinConfig() } };

    public override string Name => Scheme;

    public override Resolver Create(ResolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var serviceName = ServiceName(options.Address);
        var secure = ChannelSecurity.IsSecure(options.ChannelOptions.Credentials)
            ?? throw new InvalidOperationException($"The gRPC channel to '{options.Address.OriginalString}' has no credentials. Set GrpcChannelOptions.Credentials: ChannelCredentials.Insecure to call instances over plaintext HTTP/2 (h2c), ChannelCredentials.SecureSsl to call them over TLS.");

        // The channel's own load-balancing choice stands; otherwise the resolver's service config asks for round_robin.
        var serviceConfig = options.DisableServiceConfig || options.ChannelOptions.ServiceConfig?.LoadBalancingConfigs.Count > 0 ? null : RoundRobin;
        return new ConsulResolver(serviceName, discovery, secure, serviceConfig, settings, loggerFactory.CreateLogger<ConsulResolver>());
    }

    /// <summary>The Consul service name of <c>consul://name</c> or <c>consul:///name</c>.</summary>
    public static string ServiceName(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        var path = address.AbsolutePath.Trim('/');
        var name = address.Host.Length > 0 ? address.Host : path;
        if (name.Length == 0 || (address.Host.Length > 0 && path.Length > 0) || name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The gRPC address '{address.OriginalString}' does not name one Consul service. Use consul://{{service}}, e.g. consul://catalog.", nameof(address));
        }

        if (!address.IsDefaultPort && address.Port > 0)
        {
            throw new ArgumentException($"The gRPC address '{address.OriginalString}' names port {address.Port}; Consul gives each instance's port. Use consul://{name}.", nameof(address));
        }

        if (address.Query.Length > 0 || address.Fragment.Length > 0)
        {
            throw new ArgumentException($"The gRPC address '{address.OriginalString}' has a query or fragment, which the consul scheme does not read. Set tags, datacenter and filters per service under Consul:Discovery:Services:{name}.", nameof(address));
        }

        return name;
    }
}
