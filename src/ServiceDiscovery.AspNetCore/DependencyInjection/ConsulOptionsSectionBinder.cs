// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.DependencyInjection;

/// <summary>
/// Binds <see cref="ConsulOptions"/> from its section (through the configuration binding source generator: no
/// reflection) and reloads it when the section changes. The section is read through <see cref="DurationSettingsView"/>
/// (<see cref="ConsulOptionsSection"/>), so durations may be written as <c>10s</c>; a value the binder cannot convert
/// anywhere under the section fails with every such key named, its value and an example.
/// </summary>
internal sealed class ConsulOptionsSectionBinder(ConsulOptionsSection source) : IConfigureOptions<ConsulOptions>, IOptionsChangeTokenSource<ConsulOptions>
{
    public string Name => Options.DefaultName;

    public void Configure(ConsulOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (source.Section is { } section)
        {
            try
            {
                section.Bind(options);
            }
            catch (InvalidOperationException) when (ConsulConfigurationKeys.FindInvalidValues(section).ToList() is { Count: > 0 } invalid)
            {
                // Thrown as a validation failure, so start-up and a reload report it as they report any other bad setting.
                throw new OptionsValidationException(Options.DefaultName, typeof(ConsulOptions), invalid);
            }
        }
    }

    public IChangeToken GetChangeToken() => source.Section?.GetReloadToken() ?? new CancellationChangeToken(CancellationToken.None);
}
