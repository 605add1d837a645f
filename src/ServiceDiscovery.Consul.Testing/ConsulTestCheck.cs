// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing;

/// <summary>A snapshot of one check as the agent holds it (what <c>/v1/agent/checks</c> shows).</summary>
/// <param name="CheckId">The check ID.</param>
/// <param name="Name">The check name.</param>
/// <param name="ServiceId">The service instance it belongs to; empty for a node check.</param>
/// <param name="Type">Consul's check type: <c>http</c>, <c>tcp</c>, <c>ttl</c>, ..., or empty for maintenance checks</param>
/// <param name="Status"><c>passing</c>, <c>warning</c> or <c>critical</c>.</param>
/// <param name="Output">The last output.</param>
/// <param name="Notes">The notes (for maintenance, the reason).</param>
public sealed record ConsulTestCheck(string CheckId, string Name, string ServiceId, string Type, string Status, string Output, string Notes);
