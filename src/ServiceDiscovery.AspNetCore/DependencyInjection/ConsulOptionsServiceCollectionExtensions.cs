// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.DependencyInjection;

/// <summary>
/// Binds <see cref="ConsulOptions"/> once for every entry point and hands the client layer its part. Internal: the
/// public entry points call it, and the first call's section wins.
/// </summary>
internal static class ConsulOptionsServiceCollectionExtensions
{
    public static OptionsBuilder<ConsulOptions> AddConsulOptions(this IServiceCollection services, IConfigurationSection? section, Action<ConsulOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddConsulClient();
        var builder = services.AddOptions<ConsulOptions>();
        if (!services.Any(static d => d.ServiceType == typeof(ConsulOptionsSection)))
        {
            // ValidateOnStart() and PostConfigure() append on every call: only the first call adds them.
            services.AddSingleton(provider => new ConsulOptionsSection(
                section ?? provider.GetService<IConfiguration>()?.GetSection(ConsulOptions.DefaultConfigSectionName)));
            services.AddSingleton(static provider => new ConsulSectionPath(provider.GetRequiredService<ConsulOptionsSection>().Path));
            services.AddSingleton<IConfigureOptions<ConsulOptions>, ConsulOptionsSectionBinder>();
            services.AddHostedService<ConsulConfigurationKeyCheck>();
            services.AddSingleton<IOptionsChangeTokenSource<ConsulOptions>, ConsulOptionsSectionBinder>();
            builder.ValidateOnStart();
            builder.PostConfigure<ConsulClientEnvironmentDefaults>(static (options, defaults) =>
            {
                defaults.Apply(options.Client);

                // The discovery connection budget is enforced by the client's handler (docs/scale.md).
                options.Client.MaxConnectionsPerServer = options.Discovery.MaxConnections;
            });
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsulOptions>, ConsulConnectionValidator>());
            services.TryAddSingleton<IOptionsMonitor<ConsulClientOptions>, ConsulClientOptionsMonitor>();
        }

        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return builder;
    }

    /// <summary>Runs the client layer's validator over the connection part, naming keys under the bound section.</summary>
    private sealed class ConsulConnectionValidator(ConsulOptionsSection section, ConsulClientOptionsValidator validator) : IValidateOptions<ConsulOptions>
    {
        public ValidateOptionsResult Validate(string? name, ConsulOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var failures = new List<string>();
            validator.Validate(section.Path, options.Client, failures);
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
