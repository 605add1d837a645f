// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using ServiceDiscovery.AspNetCore.Internal;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>
/// Binds election settings from <c>{Consul}:Coordination:Elections:{name}</c> and lock settings from
/// <c>{Consul}:Coordination:Locks</c> (under the section the app bound, through the configuration binding source
/// generator: no reflection). Registered before the code delegates, so code overrides configuration.
/// </summary>
internal sealed class CoordinationSectionBinder(ConsulOptionsSection source) : IConfigureNamedOptions<ConsulLeaderElectionOptions>, IConfigureOptions<ConsulLockOptions>
{
    /// <summary>The configuration path of an election's settings, for messages that name a key.</summary>
    public static string ElectionPath(ConsulOptionsSection source, string name) => $"{source.Path}:Coordination:Elections:{name}";

    /// <summary>The configuration path of the lock settings.</summary>
    public static string LocksPath(ConsulOptionsSection source) => $"{source.Path}:Coordination:Locks";

    public void Configure(string? name, ConsulLeaderElectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (name is { Length: > 0 } && source.Section is { } section)
        {
            BindReporting(section, () => section.GetSection("Coordination:Elections").GetSection(name).Bind(options), name, typeof(ConsulLeaderElectionOptions));
        }
    }

    public void Configure(ConsulLeaderElectionOptions options) => Configure(Options.DefaultName, options);

    public void Configure(ConsulLockOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (source.Section is { } section)
        {
            BindReporting(section, () => section.GetSection("Coordination:Locks").Bind(options), Options.DefaultName, typeof(ConsulLockOptions));
        }
    }

    /// <summary>A value the binder cannot convert fails as a validation failure naming the key, the value and an example, as ConsulOptions' do.</summary>
    private static void BindReporting(IConfiguration section, Action bind, string name, Type optionsType)
    {
        try
        {
            bind();
        }
        catch (InvalidOperationException) when (ConsulConfigurationKeys.FindInvalidValues(section).ToList() is { Count: > 0 } invalid)
        {
            throw new OptionsValidationException(name, optionsType, invalid);
        }
    }
}
