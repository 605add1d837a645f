// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Configuration;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.DependencyInjection;

/// <summary>
/// Binds <see cref="ConsulOptions"/> once for every entry point and hands the client layer its part. Internal: the
/// public entry points call it; they must agree on the section (<see cref="SectionChoice"/>).
/// </summary>
internal static class ConsulOptionsServiceCollectionExtensions
{
    public static OptionsBuilder<ConsulOptions> AddConsulOptions(this IServiceCollection services, IConfigurationSection? section, Action<ConsulOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddConsulClient();
        var builder = services.AddOptions<ConsulOptions>();
        var choice = services.FirstOrDefault(static d => d.ServiceType == typeof(SectionChoice))?.ImplementationInstance as SectionChoice;
        if (choice is null)
        {
            choice = new SectionChoice();
            services.AddSingleton(choice);

            // ValidateOnStart() and PostConfigure() append on every call: only the first call adds them.
            // Every binder of the section (ConsulOptions, elections, locks) reads it through the one duration view.
            services.AddSingleton(provider => new ConsulOptionsSection(DurationSettingsView.Wrap(
                choice.Section ?? provider.GetService<IConfiguration>()?.GetSection(ConsulOptions.DefaultConfigSectionName), ConsulConfigurationKeys.IsDuration)));
            services.AddHostedService<KeyValueLoggingAttacher>();
            services.AddSingleton<IConfigureOptions<ConsulOptions>, ConsulOptionsSectionBinder>();
            services.AddHostedService<ConsulConfigurationKeyCheck>();
            services.AddSingleton<IOptionsChangeTokenSource<ConsulOptions>, ConsulOptionsSectionBinder>();
            builder.ValidateOnStart();
            builder.PostConfigure<ConsulClientEnvironmentDefaults, ConsulOptionsSection>(static (options, defaults, section) =>
            {
                defaults.Apply(options.Client);
                options.Client.SectionPath = section.Path;
                options.Discovery.SectionPath = section.Key("Discovery");

                // The discovery connection budget is enforced by the client's handler (docs/scale.md).
                options.Client.MaxConnectionsPerServer = options.Discovery.MaxConnections;
            });
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsulOptions>, ConsulConnectionValidator>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConsulOptions>, ConnectEntryPointValidator>());
            services.TryAddSingleton<IOptionsMonitor<ConsulClientOptions>, ConsulClientOptionsMonitor>();
        }

        choice.Choose(section);
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        return builder;
    }

    /// <summary>
    /// The section the entry points were given. Every entry point shares one <see cref="ConsulOptions"/>, so they must
    /// agree: a call without a section takes whichever one another call names (else <c>Consul</c>); two calls naming
    /// different sections fail at once instead of silently keeping the first.
    /// </summary>
    private sealed class SectionChoice
    {
        public IConfigurationSection? Section { get; private set; }

        public void Choose(IConfigurationSection? section)
        {
            if (section is null || (Section is { } chosen && string.Equals(chosen.Path, section.Path, StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }

            if (Section is { } earlier)
            {
                throw new InvalidOperationException(
                    $"The Consul entry points were given two configuration sections: '{earlier.Path}' and then '{section.Path}'. They share one set of "
                    + "Consul settings, bound from one section: pass the same section to each call that takes one (the others follow it).");
            }

            Section = section;
        }
    }

    /// <summary>
    /// <c>Consul:Connect:Enabled</c> without <c>AddConsulConnect()</c> would register the app as Connect-native while
    /// nothing serves mTLS: refused at start-up.
    /// </summary>
    private sealed class ConnectEntryPointValidator(ConsulOptionsSection section, IServiceProviderIsService services) : IValidateOptions<ConsulOptions>
    {
        public ValidateOptionsResult Validate(string? name, ConsulOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            return options.Connect.Enabled && !services.IsService(typeof(Connect.ConnectCertificateSource))
                ? ValidateOptionsResult.Fail($"{section.Key("Connect:Enabled")} is true, but the app did not call builder.Services.AddConsulConnect(), so nothing would serve Connect mTLS. Call AddConsulConnect(), or set {section.Key("Connect:Enabled")} to false.")
                : ValidateOptionsResult.Success;
        }
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
