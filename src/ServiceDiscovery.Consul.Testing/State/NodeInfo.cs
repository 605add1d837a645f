// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>The single node a <c>-dev</c> agent runs as.</summary>
internal sealed record NodeInfo(string Name, string Id, string Address, string Datacenter, ulong CreateIndex);
