// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>The caller of a Connect connection, as its client certificate names it.</summary>
/// <param name="Uri">Its SPIFFE id.</param>
/// <param name="Serial">Its certificate's serial, as Consul writes it.</param>
internal sealed record ConnectCaller(string Uri, string Serial);
