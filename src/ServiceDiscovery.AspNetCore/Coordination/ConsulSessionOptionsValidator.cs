// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Coordination;

/// <summary>Validates election and lock settings at start-up; a failure names the election (or the lock provider), the setting, the value and the fix.</summary>
internal sealed class ConsulSessionOptionsValidator<TOptions> : IValidateOptions<TOptions>
    where TOptions : ConsulSessionOptions
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var owner = options is ConsulLeaderElectionOptions ? $"leader election '{name}'" : "Consul locks";
        var failures = options.Validate(owner).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
