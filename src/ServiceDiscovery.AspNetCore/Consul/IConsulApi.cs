// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// What every area of the typed Consul client shares. Each consumer depends on the area it calls
/// (<see cref="IConsulAgentApi"/>, <see cref="IConsulHealthApi"/>, <see cref="IConsulCatalogApi"/>,
/// <see cref="IConsulKeyValueApi"/>, <see cref="IConsulStatusApi"/>), so a test fakes only that area.
/// </summary>
internal interface IConsulApi
{
    /// <summary>The agent address requests go to, for messages (never carries the token).</summary>
    Uri Address { get; }
}
