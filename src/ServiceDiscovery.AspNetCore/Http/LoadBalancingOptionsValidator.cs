// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>Validates <c>Consul:LoadBalancing</c> at start-up.</summary>
internal sealed class LoadBalancingOptionsValidator(ConsulOptionsSection? section = null) : IValidateOptions<ConsulOptions>
{
    private readonly string _section = (section ?? ConsulOptionsSection.Default).Key("LoadBalancing");

    public ValidateOptionsResult Validate(string? name, ConsulOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.LoadBalancing;
        var failures = new List<string>();
        if (!Enum.IsDefined(settings.Policy))
        {
            failures.Add($"{_section}:Policy '{settings.Policy}' is not a policy. Use RoundRobin, Random, PowerOfTwoChoices or Weighted.");
        }

        if (settings.EjectionDuration < TimeSpan.Zero)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{_section}:EjectionDuration must be zero (no passive ejection) or more; got '{settings.EjectionDuration:c}'. Remove it to use the default of 00:00:10."));
        }

        if (settings.ConsecutiveFailuresToEject < 0)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{_section}:ConsecutiveFailuresToEject must be 0 (off) or more; got '{settings.ConsecutiveFailuresToEject}'. Remove it to keep 5xx responses from ejecting."));
        }

        DurationLimits.CheckAtMost($"{_section}:EjectionDuration", settings.EjectionDuration, DurationLimits.Backoff, failures);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
