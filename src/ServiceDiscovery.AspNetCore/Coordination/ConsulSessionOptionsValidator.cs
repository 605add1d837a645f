// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>Validates election and lock settings at start-up; a failure names the election (or the lock provider) with its configuration section, the setting, the value and the fix.</summary>
internal sealed class ConsulSessionOptionsValidator<TOptions>(ConsulOptionsSection section) : IValidateOptions<TOptions>
    where TOptions : ConsulSessionOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var owner = options is ConsulLeaderElectionOptions
            ? $"Leader election '{name}' ({CoordinationSectionBinder.ElectionPath(section, name ?? string.Empty)})"
            : $"Consul locks ({CoordinationSectionBinder.LocksPath(section)})";
        var failures = options.Validate(owner).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
