// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.DependencyInjection;

/// <summary>
/// Binds <see cref="ConsulOptions"/> from its section (through the configuration binding source generator: no
/// reflection) and reloads it when the section changes.
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
            catch (InvalidOperationException) when (ConsulConfigurationKeys.FindInvalidChoices(section).ToList() is { Count: > 0 } invalid)
            {
                // Thrown as a validation failure, so start-up and a reload report it as they report any other bad setting.
                throw new OptionsValidationException(Options.DefaultName, typeof(ConsulOptions), invalid);
            }
        }
    }

    public IChangeToken GetChangeToken() => source.Section?.GetReloadToken() ?? new CancellationChangeToken(CancellationToken.None);
}
