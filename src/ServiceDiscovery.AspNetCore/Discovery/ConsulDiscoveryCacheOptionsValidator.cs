// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Validates <c>Consul:Discovery</c> at start-up. Each message names the configuration key, the value found and what
/// to set instead.
/// </summary>
internal sealed class ConsulDiscoveryCacheOptionsValidator(ConsulOptionsSection? section = null) : IValidateOptions<ConsulOptions>
{
    private readonly string _section = (section ?? ConsulOptionsSection.Default).Key("Discovery");

    /// <summary>Consul's <c>max_query_time</c>: longer waits are silently cut to it (docs/consul-http-api.md §8).</summary>
    private static readonly TimeSpan MaxWaitTime = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, ConsulOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var discovery = options.Discovery;
        var failures = new List<string>();

        if (discovery.WaitTime < TimeSpan.FromSeconds(1) || discovery.WaitTime > MaxWaitTime)
        {
            failures.Add($"{_section}:WaitTime must be between 00:00:01 and 00:10:00 (Consul's max_query_time); got '{Format(discovery.WaitTime)}'. Remove it to use the default of 00:05:00.");
        }

        if (discovery.MinimumQueryInterval < TimeSpan.Zero || discovery.MinimumQueryInterval >= discovery.WaitTime)
        {
            failures.Add($"{_section}:MinimumQueryInterval must be zero or more and less than {_section}:WaitTime; got '{Format(discovery.MinimumQueryInterval)}'. Remove it to use the default of 00:00:01.");
        }

        if (discovery.RetryDelay <= TimeSpan.Zero)
        {
            failures.Add($"{_section}:RetryDelay must be greater than zero; got '{Format(discovery.RetryDelay)}'. Remove it to use the default of 00:00:01.");
        }

        DurationLimits.CheckAtMost($"{_section}:RetryDelay", discovery.RetryDelay, DurationLimits.ShortWait, failures);
        DurationLimits.CheckAtMost($"{_section}:MaxRetryDelay", discovery.MaxRetryDelay, DurationLimits.Backoff, failures);

        if (discovery.MaxRetryDelay < discovery.RetryDelay)
        {
            failures.Add($"{_section}:MaxRetryDelay must be at least {_section}:RetryDelay ('{Format(discovery.RetryDelay)}'); got '{Format(discovery.MaxRetryDelay)}'. Remove it to use the default of 00:00:30.");
        }

        if (discovery.IdleTimeout <= TimeSpan.Zero && discovery.IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"{_section}:IdleTimeout must be greater than zero, or -00:00:00.001 (infinite) to never stop watching; got '{Format(discovery.IdleTimeout)}'. Remove it to use the default of 00:10:00.");
        }
        else if (discovery.IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            DurationLimits.CheckAtMost($"{_section}:IdleTimeout", discovery.IdleTimeout, DurationLimits.Period, failures);
        }

        if (discovery.VoidGracePeriod < TimeSpan.Zero)
        {
            failures.Add($"{_section}:VoidGracePeriod must be zero (off) or more; got '{Format(discovery.VoidGracePeriod)}'. Remove it to use the default of 00:00:10.");
        }

        DurationLimits.CheckAtMost($"{_section}:VoidGracePeriod", discovery.VoidGracePeriod, DurationLimits.ShortWait, failures);

        if (!(discovery.PanicThreshold is >= 0 and <= 1))
        {
            failures.Add($"{_section}:PanicThreshold must be between 0 (off) and 1; got '{discovery.PanicThreshold.ToString(System.Globalization.CultureInfo.InvariantCulture)}'. Remove it to use the default of 0.5.");
        }

        if (!Enum.IsDefined(discovery.Consistency))
        {
            failures.Add($"{_section}:Consistency must be Default, Stale or Consistent; got '{discovery.Consistency}'.");
        }

        if (!Enum.IsDefined(discovery.WatchMode))
        {
            failures.Add($"{_section}:WatchMode must be Auto, PerService or Datacenter; got '{discovery.WatchMode}'. Remove it to use the default of Auto.");
        }

        if (discovery.DatacenterWatchThreshold < 1)
        {
            failures.Add($"{_section}:DatacenterWatchThreshold must be at least 1; got '{discovery.DatacenterWatchThreshold.ToString(CultureInfo.InvariantCulture)}'. Remove it to use the default of 64.");
        }

        if (discovery.MaxConnections < DiscoveryConnectionBudget.Minimum)
        {
            failures.Add($"{_section}:MaxConnections must be at least {DiscoveryConnectionBudget.Minimum.ToString(CultureInfo.InvariantCulture)} (the datacenter watch's two blocking queries plus one for reads); got '{discovery.MaxConnections.ToString(CultureInfo.InvariantCulture)}'. Remove it to use the default of 8.");
        }

        ValidateTags($"{_section}:Tags", discovery.Tags, failures);
        DiscoverySnapshotFile.Validate(_section, discovery.SnapshotPath, discovery.SnapshotMaxAge, failures);

        foreach (var (serviceName, service) in discovery.Services)
        {
            var key = $"{_section}:Services:{serviceName}";
            if (string.IsNullOrWhiteSpace(serviceName))
            {
                failures.Add($"{_section}:Services has an entry with an empty service name; key it by the Consul service name.");
            }
            else if (!ConsulNameRules.IsValidServiceName(serviceName))
            {
                failures.Add($"{key} names a service no http://{serviceName}/ URL can reach: {ConsulNameRules.ServiceNameRule}.");
            }

            if (service is null)
            {
                continue;
            }

            if (service.Consistency is { } consistency && !Enum.IsDefined(consistency))
            {
                failures.Add($"{key}:Consistency must be Default, Stale or Consistent; got '{consistency}'.");
            }

            ValidateTags($"{key}:Tags", service.Tags, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateTags(string key, IList<string> tags, List<string> failures)
    {
        for (var i = 0; i < tags.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(tags[i]))
            {
                failures.Add($"{key}:{i.ToString(CultureInfo.InvariantCulture)} is empty; remove it or give the tag an instance must carry.");
            }
            else if (!ConsulNameRules.IsValidTag(tags[i]))
            {
                failures.Add($"{key}:{i.ToString(CultureInfo.InvariantCulture)} '{tags[i]}' can never match: {ConsulNameRules.TagRule}.");
            }
        }
    }

    private static string Format(TimeSpan value) => DurationLimits.Format(value);
}
