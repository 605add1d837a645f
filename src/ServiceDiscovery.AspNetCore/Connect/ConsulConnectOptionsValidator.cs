// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>Validates <c>Consul:Connect</c> at start-up; each message names the key, the value found and the fix.</summary>
internal sealed class ConsulConnectOptionsValidator(ConsulOptionsSection? section = null) : IValidateOptions<ConsulOptions>
{
    /// <summary>The longest authorization cache: past it a changed intention would take effect too late to be useful.</summary>
    public static readonly TimeSpan MaxAuthorizationCacheDuration = TimeSpan.FromMinutes(1);

    private readonly string _section = (section ?? ConsulOptionsSection.Default).Key("Connect");

    public ValidateOptionsResult Validate(string? name, ConsulOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var cache = options.Connect.AuthorizationCacheDuration;
        if (cache < TimeSpan.Zero || cache > MaxAuthorizationCacheDuration)
        {
            return ValidateOptionsResult.Fail(
                $"{_section}:AuthorizationCacheDuration must be between 00:00:00 (ask Consul on every handshake) and {DurationLimits.Format(MaxAuthorizationCacheDuration)}; "
                + $"got '{DurationLimits.Format(cache)}'. It bounds how late a changed intention takes effect. Remove it to use the default of 00:00:00.5.");
        }

        return ValidateOptionsResult.Success;
    }
}
