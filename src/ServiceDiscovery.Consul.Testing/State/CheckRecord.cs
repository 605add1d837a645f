// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Checks;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// One check: its agent-local state (what <c>/v1/agent/checks</c> shows at once) and the copy synced to the
/// catalog (what <c>/v1/health</c> shows; output-only changes may reach it late). Guarded by the store's lock.
/// </summary>
internal sealed class CheckRecord
{
    public required string CheckId { get; init; }

    public required string Name { get; init; }

    public string Notes { get; init; } = string.Empty;

    public string ServiceId { get; init; } = string.Empty;

    public string ServiceName { get; init; } = string.Empty;

    public IReadOnlyList<string> ServiceTags { get; set; } = [];

    public string Type { get; init; } = string.Empty;

    /// <summary>Gets the interval as registered: what Consul's answers print.</summary>
    public GoDuration Interval { get; init; }

    /// <summary>Gets the interval the probe runs at: <see cref="Interval"/> raised to Consul's one-second minimum.</summary>
    public TimeSpan RunInterval => RegistrationRecords.ClampInterval(Interval);

    /// <summary>
    /// Gets the <c>Interval</c> and <c>Timeout</c> strings of a check written through <c>/v1/catalog/register</c>, where
    /// Consul's <c>HealthCheck</c> keeps them as plain strings, unparsed; null for the agent's own checks.
    /// </summary>
    public (string Interval, string Timeout)? CatalogTexts { get; init; }

    /// <summary>Gets <c>Interval</c> as answers print it: the catalog's string, else Go's form ("" when unset).</summary>
    public string IntervalText => CatalogTexts?.Interval ?? (Interval.IsPositive ? Interval.ToString() : string.Empty);

    /// <summary>Gets <c>Timeout</c> as answers print it.</summary>
    public string TimeoutText => CatalogTexts?.Timeout ?? (Timeout.IsPositive ? Timeout.ToString() : string.Empty);

    public GoDuration Timeout { get; init; }

    public GoDuration Ttl { get; init; }

    public GoDuration DeregisterCriticalServiceAfter { get; init; }

    public int OutputMaxSize { get; init; } = 4096;

    /// <summary>Gets the registration this check came from (null for built-in checks).</summary>
    public CheckDefinition? Definition { get; init; }

    public string Status { get; set; } = "critical";

    public string Output { get; set; } = string.Empty;

    /// <summary>Gets or sets when the check last turned critical; cleared by any non-critical update (the DCSA clock).</summary>
    public DateTimeOffset? CriticalSince { get; set; }

    public string CatalogStatus { get; set; } = string.Empty;

    public string CatalogOutput { get; set; } = string.Empty;

    public ulong CreateIndex { get; set; }

    public ulong ModifyIndex { get; set; }

    /// <summary>Gets or sets the running probe or TTL timer.</summary>
    public ICheckRunner? Runner { get; set; }

    /// <summary>Gets or sets the pending output-only catalog sync.</summary>
    public ITimer? DeferredSync { get; set; }

    public bool IsInCatalog => CreateIndex != 0;

    /// <summary>Consul's <c>HealthCheck.IsSame</c> on the fields the catalog keeps.</summary>
    public bool IsSameInCatalog(CheckRecord other) =>
        Name == other.Name && CatalogStatus == other.CatalogStatus && Notes == other.Notes && CatalogOutput == other.CatalogOutput
        && ServiceId == other.ServiceId && ServiceName == other.ServiceName && ServiceTags.SequenceEqual(other.ServiceTags)
        && Type == other.Type && IntervalText == other.IntervalText && TimeoutText == other.TimeoutText;
}
