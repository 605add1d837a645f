// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>Whether a caller may connect, and why.</summary>
/// <param name="Allowed">The decision.</param>
/// <param name="Reason">Consul's reason (which intention, or the default), or why no answer was had.</param>
/// <param name="Kind">A bounded classification of <paramref name="Reason"/> for metrics: <c>intention</c>, <c>l7_intention</c>, <c>default</c>, <c>other</c> or <c>authorize_failed</c>.</param>
/// <param name="FromCache">True when no call to Consul was made for this decision.</param>
internal sealed record ConnectDecision(bool Allowed, string Reason, string Kind, bool FromCache)
{
    public const string AuthorizeFailed = "authorize_failed";

    /// <summary>
    /// The <see cref="TimeProvider.GetTimestamp"/> until which this answer may be reused (when it was asked plus
    /// <c>AuthorizationCacheDuration</c>); 0 when it may not be reused (a failure, or no caching).
    /// </summary>
    public long ReusableUntil { get; init; }

    /// <summary>Classifies Consul's reason text (docs/consul-http-api.md, authorize).</summary>
    public static string Classify(string? reason)
    {
        if (reason is null)
        {
            return "other";
        }

        if (reason.StartsWith("Matched L4 intention", StringComparison.Ordinal))
        {
            return "intention";
        }

        if (reason.StartsWith("Matched L7 intention", StringComparison.Ordinal))
        {
            return "l7_intention";
        }

        return reason.StartsWith("Default", StringComparison.Ordinal) || reason.StartsWith("ACLs disabled", StringComparison.Ordinal) ? "default" : "other";
    }
}
