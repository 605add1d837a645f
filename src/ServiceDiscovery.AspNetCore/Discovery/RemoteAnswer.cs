// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>What a failover datacenter last said about a name.</summary>
/// <param name="Datacenter">The datacenter that answered.</param>
/// <param name="Instances">The instances its guard accepted (with panic, failing ones too).</param>
/// <param name="Index">Its <c>X-Consul-Index</c> (the remote datacenter's).</param>
/// <param name="ReceivedAt">When the answer came.</param>
/// <param name="CanServe">At least one instance passes there: the name may be served from it.</param>
/// <param name="IsStale">Reading it failed since this answer.</param>
internal sealed record RemoteAnswer(string Datacenter, ConsulServiceInstance[] Instances, ulong Index, DateTimeOffset ReceivedAt, bool CanServe, bool IsStale);
