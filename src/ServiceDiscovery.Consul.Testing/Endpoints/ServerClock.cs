// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Runtime.CompilerServices;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>When the datacenter's server came up (first asked), for ACL <c>CreateTime</c> and autopilot's <c>StableSince</c>.</summary>
internal static class ServerClock
{
    private static readonly ConditionalWeakTable<StateStore, StrongBox<DateTimeOffset>> Started = new();

    public static DateTimeOffset StartedAt(AgentRequest r) =>
        Started.GetValue(r.Store, _ => new StrongBox<DateTimeOffset>(r.Options.TimeProvider.GetUtcNow())).Value;

    /// <summary>Go's <c>time.Time</c> JSON (RFC 3339 with up to 9 fractional digits, trailing zeros dropped).</summary>
    public static string GoTime(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
