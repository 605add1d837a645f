// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// Registers the Consul HTTP client layer. It reads its settings from <see cref="IOptionsMonitor{TOptions}"/> of
/// <see cref="ConsulClientOptions"/>, which the layer above provides; it knows nothing of registration, discovery or
/// hosting. Every call after the first is a no-op, so entry points can be combined freely.
/// </summary>
internal static class ConsulClientServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="TimeProvider.System"/>, the named <see cref="HttpClient"/> <see cref="ConsulApiClient.HttpClientName"/>,
    /// telemetry, the settings' environment defaults and validator, and one <see cref="ConsulApiClient"/> behind each API
    /// area interface. Every service is <c>TryAdd</c>ed, so a test or an app can replace any of them.
    /// </summary>
    public static IServiceCollection AddConsulClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(ConsulClientMarker)))
        {
            // AddHttpClient() appends configuration on every call: guard it.
            return services;
        }

        services.AddSingleton<ConsulClientMarker>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConsulEnvironment, ProcessConsulEnvironment>();
        services.TryAddSingleton<ConsulClientEnvironmentDefaults>();
        services.TryAddSingleton<ConsulClientOptionsValidator>();
        services.AddMetrics();
        services.TryAddSingleton<ConsulTelemetry>();
        // RemoveAllLoggers: IHttpClientFactory's default request logging redacts header values in its message text but
        // not in its structured state, which would hand X-Consul-Token to any structured log sink. The client logs
        // each request itself (ConsulApiClient.Log), without headers.
        services.AddHttpClient(ConsulApiClient.HttpClientName)
            .ConfigureHttpClient(static client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static provider => ConsulHttpHandlerFactory.Create(provider.GetRequiredService<IOptionsMonitor<ConsulClientOptions>>().CurrentValue))
            .RemoveAllLoggers();
        services.TryAddSingleton<ConsulApiClient>();
        services.TryAddSingleton<IConsulAgentApi>(static provider => provider.GetRequiredService<ConsulApiClient>());
        services.TryAddSingleton<IConsulHealthApi>(static provider => provider.GetRequiredService<ConsulApiClient>());
        services.TryAddSingleton<IConsulCatalogApi>(static provider => provider.GetRequiredService<ConsulApiClient>());
        services.TryAddSingleton<IConsulKeyValueApi>(static provider => provider.GetRequiredService<ConsulApiClient>());
        services.TryAddSingleton<IConsulStatusApi>(static provider => provider.GetRequiredService<ConsulApiClient>());
        services.TryAddSingleton<IConsulSessionApi>(static provider => provider.GetRequiredService<ConsulApiClient>());
        services.TryAddSingleton<IConsulConnectApi>(static provider => provider.GetRequiredService<ConsulApiClient>());
        return services;
    }

    /// <summary>Marks that <see cref="AddConsulClient"/> ran.</summary>
    private sealed class ConsulClientMarker;
}
