// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>Body of <c>PUT /v1/agent/check/update/{checkId}</c> (docs/consul-http-api.md §5). Consul rejects any other key.</summary>
/// <param name="Status"><c>passing</c>, <c>warning</c> or <c>critical</c>.</param>
/// <param name="Output">The check output; omitted when null.</param>
internal sealed record TtlUpdate(string Status, string? Output);
