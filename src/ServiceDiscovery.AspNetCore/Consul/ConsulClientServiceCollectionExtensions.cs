// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// Registers the Consul HTTP client layer. Internal: the public entry points (<c>AddConsulDiscovery()</c>, ...) call
/// these, and every call after the first is a no-op, so entry points can be combined freely.
/// </summary>
internal static class ConsulClientServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="TimeProvider.System"/>, <see cref="ConsulOptions"/> (validated on start, filled from Consul's CLI
    /// variables), the named <see cref="HttpClient"/> <see cref="ConsulApiClient.HttpClientName"/>, telemetry and
    /// <see cref="IConsulApiClient"/>. Every service is <c>TryAdd</c>ed, so a test or an app can replace any of them.
    /// </summary>
    public static IServiceCollection AddConsulClientCore(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(ConsulClientCoreMarker)))
        {
            // AddOptions().ValidateOnStart() and AddHttpClient() append configuration on every call: guard them.
            return services;
        }

        services.AddSingleton<ConsulClientCoreMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConsulEnvironment, ProcessConsulEnvironment>();
        services.AddOptions<ConsulOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<ConsulOptions>, ConsulOptionsEnvironmentDefaults>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsulOptions>, ConsulClientOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<ConsulTelemetry>();
        // RemoveAllLoggers: IHttpClientFactory's default request logging redacts header values in its message text but
        // not in its structured state, which would hand X-Consul-Token to any structured log sink. The client logs
        // each request itself (ConsulApiClient.Log), without headers.
        services.AddHttpClient(ConsulApiClient.HttpClientName)
            .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static provider => ConsulHttpHandlerFactory.Create(provider.GetRequiredService<IOptionsMonitor<ConsulOptions>>().CurrentValue))
            .RemoveAllLoggers();
        services.TryAddSingleton<IConsulApiClient, ConsulApiClient>();
        return services;
    }

    /// <summary>
    /// Adds the client core, binds <paramref name="section"/> (or the app's <c>Consul</c> section when
    /// <see langword="null"/>) once, with reload, then runs <paramref name="configure"/>. A second call from another
    /// entry point does not bind again (its <paramref name="section"/> is ignored) but does run its delegate.
    /// </summary>
    public static OptionsBuilder<ConsulOptions> AddConsulOptions(this IServiceCollection services, IConfigurationSection? section, Action<ConsulOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddConsulClientCore();
        var builder = services.AddOptions<ConsulOptions>();
        if (!services.Any(static d => d.ServiceType == typeof(ConsulOptionsSection)))
        {
            services.AddSingleton(provider => new ConsulOptionsSection(
                section ?? provider.GetService<IConfiguration>()?.GetSection(ConsulOptions.DefaultConfigSectionName)));
            services.AddSingleton<IConfigureOptions<ConsulOptions>, ConsulOptionsSectionBinder>();
            services.AddSingleton<IOptionsChangeTokenSource<ConsulOptions>, ConsulOptionsSectionBinder>();
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return builder;
    }

    /// <summary>Marks that <see cref="AddConsulClientCore"/> ran.</summary>
    private sealed class ConsulClientCoreMarker;
}
