// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing;

/// <summary>One request the agent received, recorded before any fault hook or handler ran.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The decoded path, e.g. <c>/v1/health/service/web</c>.</param>
/// <param name="Query">The raw query string without <c>?</c>.</param>
/// <param name="Timestamp">When it arrived, by the agent's <see cref="ConsulTestAgentOptions.TimeProvider"/>.</param>
public sealed record ConsulTestRequest(string Method, string Path, string Query, DateTimeOffset Timestamp);
