// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing;

/// <summary>A snapshot of one service instance registered with the agent.</summary>
/// <param name="Id">The instance ID.</param>
/// <param name="Name">The service name.</param>
/// <param name="Address">The registered address (empty means the node's).</param>
/// <param name="Port">The registered port.</param>
/// <param name="Tags">The tags.</param>
/// <param name="Meta">The metadata.</param>
public sealed record ConsulTestService(
    string Id,
    string Name,
    string Address,
    int Port,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> Meta);
