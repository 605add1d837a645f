// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Grpc.AspNetCore.HealthChecks;
using Grpc.Net.Client.Balancer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Grpc.Client;
using ServiceDiscovery.AspNetCore.Grpc.Health;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ServiceDiscovery.AspNetCore's gRPC integration: the <c>consul://</c> resolver and the gRPC health service Consul checks.</summary>
public static class ConsulGrpcServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <c>consul</c> scheme to Grpc.Net.Client: a channel (or <c>AddGrpcClient</c>) whose address is
    /// <c>consul://catalog</c> balances its calls, round-robin unless its service config names another policy, over
    /// the instances of Consul service <c>catalog</c> that the discovery cache holds, and follows every change the cache
    /// is pushed. Adds the discovery cache (<c>AddConsulDiscoveryCache()</c>) when it is not there, so the
    /// <c>Consul:Discovery</c> settings (tags, datacenter, filters, void grace, panic threshold) apply. The channel's
    /// credentials choose the instances: <c>ChannelCredentials.Insecure</c> calls <c>h2c</c>, <c>grpc</c> and <c>http</c>
    /// instances over plaintext HTTP/2, <c>ChannelCredentials.SecureSsl</c> calls <c>https</c> instances over TLS.
    /// The channel must be created with the app's service provider (<c>AddGrpcClient</c> does that;
    /// otherwise set <c>GrpcChannelOptions.ServiceProvider</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddConsulGrpcResolver(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddConsulDiscoveryCache();
        services.TryAddSingleton(static provider =>
        {
            var discovery = provider.GetRequiredService<IOptions<ConsulOptions>>().Value.Discovery;
            return new ConsulResolverSettings(provider.GetRequiredService<TimeProvider>(), discovery.RetryDelay, discovery.MaxRetryDelay);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ResolverFactory, ConsulResolverFactory>(static provider => new ConsulResolverFactory(
            provider.GetRequiredService<IConsulServiceDiscovery>(),
            provider.GetRequiredService<ConsulResolverSettings>(),
            provider.GetRequiredService<ILoggerFactory>())));
        return services;
    }

    /// <summary>
    /// Adds the standard <c>grpc.health.v1.Health</c> service, reporting the app's ASP.NET Core health checks, for
    /// Consul's gRPC check (<c>Consul:Check:Kind: Grpc</c>); map it with <c>app.MapGrpcHealthChecksService()</c>.
    /// Healthy and Degraded answer SERVING (Consul: passing), Unhealthy NOT_SERVING (critical); the Consul connectivity
    /// check is left out. The whole server (<c>""</c>) reports every app check; <c>Consul:Check:GrpcService</c>, when
    /// set and not mapped by the app, reports them too. Map other gRPC service names to chosen checks with
    /// <c>services.Configure&lt;GrpcHealthChecksOptions&gt;(o =&gt; o.Services.Map(...))</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The health checks builder, to add the app's checks.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IHealthChecksBuilder AddConsulGrpcHealthChecks(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddGrpcHealthChecks();
        if (!services.Any(static d => d.ImplementationType == typeof(GrpcHealthMappings)))
        {
            services.AddSingleton<IPostConfigureOptions<GrpcHealthChecksOptions>, GrpcHealthMappings>();
        }

        return builder;
    }
}
