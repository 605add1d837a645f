// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>Validates <c>Consul:LoadBalancing</c> at start-up.</summary>
internal sealed class LoadBalancingOptionsValidator : IValidateOptions<ConsulOptions>
{
    private const string Section = "Consul:LoadBalancing";

    public ValidateOptionsResult Validate(string? name, ConsulOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.LoadBalancing;
        var failures = new List<string>();
        if (!Enum.IsDefined(settings.Policy))
        {
            failures.Add($"{Section}:Policy '{settings.Policy}' is not a policy. Use RoundRobin, Random, PowerOfTwoChoices or Weighted.");
        }

        if (settings.EjectionDuration < TimeSpan.Zero)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Section}:EjectionDuration must be zero (no passive ejection) or more; got '{settings.EjectionDuration:c}'. Remove it to use the default of 00:00:10."));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
