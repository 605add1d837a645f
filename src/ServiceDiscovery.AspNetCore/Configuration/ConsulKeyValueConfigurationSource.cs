// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// Builds the provider: settings from the <c>Consul</c> section of the configuration built so far (when asked), then the
/// caller's delegate, then Consul's CLI variables; the layered prefixes from the host's application name and environment.
/// </summary>
internal sealed class ConsulKeyValueConfigurationSource(bool fromSection, Action<ConsulKeyValueConfigurationOptions>? configure) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder as IConfiguration ?? BuildPreceding(builder);
        var options = new ConsulKeyValueConfigurationOptions();
        var section = fromSection ? ConsulOptions.DefaultConfigSectionName : nameof(ConsulKeyValueConfigurationOptions);
        if (fromSection)
        {
            KeyValueSectionReader.Read(configuration.GetSection(ConsulOptions.DefaultConfigSectionName), options);
        }

        configure?.Invoke(options);
        var environment = new ProcessConsulEnvironment();
        new ConsulClientEnvironmentDefaults(environment).Apply(options.Client);
        var failures = new List<string>();
        new ConsulClientOptionsValidator(environment).Validate(section, options.Client, failures);
        if (options.WaitTime <= TimeSpan.Zero)
        {
            failures.Add($"{section}:KeyValue:WaitTime must be greater than zero; got '{options.WaitTime}'. Use e.g. '00:05:00'.");
        }

        var prefixes = Prefixes(options, configuration);
        if (prefixes.Count == 0)
        {
            failures.Add($"{section}:KeyValue has no prefix to read: set ApplicationName (or Consul:Service:Name) or list Prefixes.");
        }

        if (failures.Count > 0)
        {
            throw new InvalidOperationException("The Consul KV configuration source is misconfigured: " + string.Join(" ", failures));
        }

        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var client = new KeyValueClient(options.Client, loggerFactory, options.TimeProvider);
        var logger = loggerFactory.CreateLogger("ServiceDiscovery.AspNetCore.Configuration.ConsulKeyValue");
        var snapshot = string.IsNullOrWhiteSpace(options.SnapshotPath) ? null : new KeyValueSnapshotFile(options.SnapshotPath, logger);
        return new ConsulKeyValueConfigurationProvider(client, prefixes, logger, options.Optional, options.WaitTime, options.TimeProvider, snapshot);
    }

    /// <summary>The explicit prefixes, or <c>{Root}/application/</c>, <c>{Root}/{app}/</c>, <c>{Root}/{app},{environment}/</c>.</summary>
    internal static IReadOnlyList<string> Prefixes(ConsulKeyValueConfigurationOptions options, IConfiguration configuration)
    {
        if (options.Prefixes.Count > 0)
        {
            return [.. options.Prefixes.Select(KeyValuePath.NormalizePrefix)];
        }

        var root = options.Root.Trim('/');
        var app = FirstValue(options.ApplicationName, configuration["Consul:Service:Name"], configuration["applicationName"], Assembly.GetEntryAssembly()?.GetName().Name);
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
