// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>What became of a TTL update, so the endpoint can answer with Consul's status and text.</summary>
internal enum CheckResultKind
{
    Updated,
    UnknownCheck,
    NotTtl,
}
