// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Http;
using ServiceDiscovery.AspNetCore.Http.LoadBalancing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Resolves <c>http://{service}/...</c> through Consul for an <see cref="HttpClient"/>.</summary>
public static class ConsulLoadBalancingHttpClientBuilderExtensions
{
    /// <summary>
    /// Sends requests whose host is a Consul service name (a single label such as <c>catalog</c>) to a healthy instance
    /// of that service, chosen by the <c>Consul:LoadBalancing:Policy</c> balancer (round-robin by default). Host names
    /// with a dot, <c>localhost</c> and IP addresses pass through. Adds <c>AddConsulDiscoveryCache()</c> to the
    /// services if it is not there yet.
    /// </summary>
    /// <remarks>
    /// <para>
    /// <c>http://catalog</c> calls each instance with the scheme it registered (its <c>scheme</c> meta);
    /// <c>https://catalog</c> reaches only instances serving https; <c>https+http://catalog</c> prefers them and falls
    /// back to http ones. Path and query are kept; the <c>Host</c> header names the instance unless the request sets one.
    /// </para>
    /// <para>
    /// With no available instance, <see cref="ConsulServiceUnavailableException"/> is thrown and nothing is sent. An
    /// instance that cannot be connected to is avoided for <c>Consul:LoadBalancing:EjectionDuration</c>. Add
    /// Microsoft.Extensions.Http.Resilience's handler before this one so each retry picks an instance again.
    /// </para>
    /// </remarks>
    /// <param name="builder">The HttpClient builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddConsulLoadBalancing(this IHttpClientBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddConsulHandler(static provider => LoadBalancerFactory.Create(
            provider.GetRequiredService<IOptionsMonitor<ConsulOptions>>().CurrentValue.LoadBalancing.Policy,
            provider.GetRequiredService<InstanceHealthTracker>()));
    }

    /// <summary>As <see cref="AddConsulLoadBalancing(IHttpClientBuilder)"/>, with this client's own balancing policy.</summary>
    /// <param name="builder">The HttpClient builder.</param>
    /// <param name="policy">The policy for this client.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddConsulLoadBalancing(this IHttpClientBuilder builder, ConsulLoadBalancingPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!Enum.IsDefined(policy))
        {
            throw new ArgumentOutOfRangeException(nameof(policy), policy, "Use RoundRobin, Random, PowerOfTwoChoices or Weighted.");
        }

        return builder.AddConsulHandler(provider => LoadBalancerFactory.Create(policy, provider.GetRequiredService<InstanceHealthTracker>()));
    }

    /// <summary>As <see cref="AddConsulLoadBalancing(IHttpClientBuilder)"/>, with a custom balancer created from DI.</summary>
    /// <typeparam name="TBalancer">The balancer; created once per handler with <see cref="ActivatorUtilities"/>.</typeparam>
    /// <param name="builder">The HttpClient builder.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHttpClientBuilder AddConsulLoadBalancing<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TBalancer>(this IHttpClientBuilder builder)
        where TBalancer : class, IConsulLoadBalancer
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddConsulHandler(static provider => ActivatorUtilities.CreateInstance<TBalancer>(provider));
    }

    private static IHttpClientBuilder AddConsulHandler(this IHttpClientBuilder builder, Func<IServiceProvider, IConsulLoadBalancer> createBalancer)
    {
        var services = builder.Services;
        services.AddConsulDiscoveryCache();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<ConsulOptions>, LoadBalancingOptionsValidator>());
        services.TryAddSingleton<InstanceHealthTracker>();
        services.TryAddSingleton<HttpDiscoveryMetrics>();
        services.TryAddSingleton<UnusableSchemeReport>();

        // Outermost, so that an attempt timeout of a resilience handler in between can be told from the caller's cancellation.
        builder.ConfigureAdditionalHttpMessageHandlers(static (handlers, _) => handlers.Insert(0, new CallerCancellation()));
        return builder.AddHttpMessageHandler(provider => new ConsulDiscoveryHttpHandler(
            provider.GetRequiredService<IConsulServiceDiscovery>(),
            createBalancer(provider),
            provider.GetRequiredService<InstanceHealthTracker>(),
            provider.GetRequiredService<UnusableSchemeReport>(),
            provider.GetRequiredService<HttpDiscoveryMetrics>(),
            provider.GetRequiredService<ILogger<ConsulDiscoveryHttpHandler>>(),
            provider.GetService<ConnectClientTransport>()));
    }
}
