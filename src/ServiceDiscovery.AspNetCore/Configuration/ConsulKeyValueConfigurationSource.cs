// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Reflection;
using Microsoft.Extensions.Configuration;

using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// Builds the provider: settings from the <c>Consul</c> section of the configuration built so far, then the
/// caller's delegate, then Consul's CLI variables; the layered prefixes from the host's application name and environment.
/// </summary>
internal sealed class ConsulKeyValueConfigurationSource(Action<ConsulKeyValueConfigurationOptions>? configure) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder as IConfiguration ?? BuildPreceding(builder);
        var section = (IConfigurationSection)DurationSettingsView.Wrap(configuration.GetSection(ConsulOptions.DefaultConfigSectionName), ConsulConfigurationKeys.IsDuration)!;

        // The connection keys are ConsulOptions' own (bound by the same source-generated binder, through the same view
        // that reads '10s' as a duration), so the KV source and the rest of the app can never read Address, Token,
        // TokenFile, Timeout or Tls differently.
        var client = new ConsulClientOptions();
        var options = new ConsulKeyValueConfigurationOptions();
        // Only the keys this source reads: a later source may still correct the others before the app binds them.
        var invalid = ConsulConfigurationKeys.FindInvalidValues(section, "Timeout", "Tls", "KeyValue").ToList();
        if (invalid.Count > 0)
        {
            throw new InvalidOperationException("The Consul KV configuration source is misconfigured: " + string.Join(" ", invalid));
        }

        section.Bind(client);
        client.SectionPath = section.Path;
        KeyValueSectionReader.Read(section, options);
        configure?.Invoke(options);

        var environment = new ProcessConsulEnvironment();
        new ConsulClientEnvironmentDefaults(environment).Apply(client);
        var failures = new List<string>();
        new ConsulClientOptionsValidator(environment).Validate(section.Path, client, failures);
        var kvPath = $"{section.Path}:{KeyValueSectionName}";
        if (options.WaitTime <= TimeSpan.Zero)
        {
            failures.Add($"{kvPath}:WaitTime must be greater than zero; got '{options.WaitTime}'. Use e.g. '5m' or '00:05:00'.");
        }

        var prefixes = Prefixes(options, configuration, section);
        if (prefixes.Count == 0)
        {
            failures.Add($"{kvPath} has no prefix to read: set {kvPath}:ApplicationName (or {section.Path}:Service:Name) or list {kvPath}:Prefixes.");
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException("The Consul KV configuration source is misconfigured: " + string.Join(" ", failures));
        }

        var loggerFactory = options.LoggerFactory ?? new DeferredLoggerFactory();
        var kv = new KeyValueClient(client, loggerFactory, options.TimeProvider);
        var logger = loggerFactory.CreateLogger("ServiceDiscovery.AspNetCore.Configuration.ConsulKeyValue");
        var snapshot = string.IsNullOrWhiteSpace(options.SnapshotPath) ? null : new KeyValueSnapshotFile(options.SnapshotPath, logger);
        return new ConsulKeyValueConfigurationProvider(kv, prefixes, logger, options.Optional, options.WaitTime, options.TimeProvider, snapshot)
        {
            Logging = loggerFactory as DeferredLoggerFactory,
            OnLoadException = options.OnLoadException,
            OnWatchException = options.OnWatchException,
        };
    }

    /// <summary>The source's own keys, under the <c>Consul</c> section.</summary>
    internal const string KeyValueSectionName = "KeyValue";

    /// <summary>The explicit prefixes, or <c>{Root}/application/</c>, <c>{Root}/{app}/</c>, <c>{Root}/{app},{environment}/</c>.</summary>
    internal static IReadOnlyList<string> Prefixes(ConsulKeyValueConfigurationOptions options, IConfiguration configuration, IConfigurationSection? consul = null)
    {
        if (options.Prefixes.Count > 0)
        {
            return [.. options.Prefixes.Select(KeyValuePath.NormalizePrefix)];
        }

        consul ??= configuration.GetSection(ConsulOptions.DefaultConfigSectionName);
        var root = options.Root.Trim('/');
        var app = FirstValue(options.ApplicationName, consul["Service:Name"], configuration["applicationName"], Assembly.GetEntryAssembly()?.GetName().Name);
        var environment = FirstValue(
            options.Environment, configuration["environment"], Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"), Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT"), "Production");
        var prefixes = new List<string> { KeyValuePath.NormalizePrefix($"{root}/application") };
        if (app is not null)
        {
            prefixes.Add(KeyValuePath.NormalizePrefix($"{root}/{app}"));
            if (environment is not null)
            {
                prefixes.Add(KeyValuePath.NormalizePrefix($"{root}/{app},{environment}"));
            }
        }

        return prefixes;
    }

    private static string? FirstValue(params string?[] values) => values.FirstOrDefault(static v => !string.IsNullOrWhiteSpace(v));

    /// <summary>A plain <see cref="ConfigurationBuilder"/> is not readable: build what was added before this source.</summary>
    private IConfigurationRoot BuildPreceding(IConfigurationBuilder builder)
    {
        var preceding = new ConfigurationBuilder();
        foreach (var source in builder.Sources.TakeWhile(s => !ReferenceEquals(s, this)))
        {
            preceding.Add(source);
        }

        return preceding.Build();
    }
}
