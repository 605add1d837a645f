// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>What keeps one check's status moving: an HTTP prober or a TTL timer.</summary>
internal interface ICheckRunner : IDisposable
{
    void Start();
}
