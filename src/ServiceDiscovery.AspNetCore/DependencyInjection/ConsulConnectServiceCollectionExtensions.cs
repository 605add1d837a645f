// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.DependencyInjection;
using ServiceDiscovery.AspNetCore.Internal;
using ServiceDiscovery.AspNetCore.Registration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Consul Connect-native mTLS to an ASP.NET Core app (docs/connect.md).</summary>
public static class ConsulConnectServiceCollectionExtensions
{
    /// <summary>
    /// When <c>Consul:Connect:Enabled</c> is true: the app's HTTPS endpoints serve the leaf certificate Consul's CA
    /// issues this service (renewed without a restart), require a client certificate that chains to Consul's roots and
    /// names a service, and accept only callers Consul's intentions allow; plain-HTTP endpoints serve only the health
    /// path Consul checks; the registration says <c>Connect.Native</c>. Settings come from the <c>Consul</c> section
    /// and are validated at start-up; start-up fails, naming the setting, when the agent runs without Connect.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddConsulConnect(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddConsulOptions(section: null, configure: null);
        if (services.Any(static d => d.ServiceType == typeof(ConnectCertificateSource)))
        {
            return services;
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsulOptions>, ConsulConnectOptionsValidator>());
        services.TryAddSingleton<ConnectMetrics>();
        services.AddSingleton(static provider =>
        {
            var options = provider.GetRequiredService<IOptionsMonitor<ConsulOptions>>().CurrentValue;
            var section = provider.GetRequiredService<ConsulOptionsSection>();
            var name = RegistrationBuilder.ServiceName(options.Service, provider.GetService<IHostEnvironment>()?.ApplicationName);
            if (name.Length == 0)
            {
                throw new InvalidOperationException(
                    $"{section.Key("Connect:Enabled")} is true, but the service name is not set and cannot be derived from the application name: Consul issues the Connect certificate for a service name. Set {section.Key("Service:Name")}.");
            }

            return new ConnectCertificateSource(
                provider.GetRequiredService<IConsulConnectApi>(),
                name,
                section.Key("Connect:Enabled"),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<ConnectMetrics>(),
                provider.GetRequiredService<ILogger<ConnectCertificateSource>>());
        });
        services.TryAddSingleton(static provider => new ConnectPeerVerifier(provider.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<ConnectAuthorizer>();
        services.TryAddSingleton<ConnectPeerVerifier>();
        services.TryAddSingleton<ConnectClientTransport>();
        services.TryAddSingleton<ConnectHandshakeValidator>();
        services.TryAddSingleton<ConnectRequestReauthorizer>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, ConnectKestrelSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, ConnectPlainHttpGate>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, ConnectReauthorizationFilter>());
        services.AddHostedService<ConnectLifetime>();
        return services;
    }
}
