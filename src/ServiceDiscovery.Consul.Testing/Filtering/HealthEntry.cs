// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Filtering;

/// <summary>One element of <c>/v1/health/service/:name</c>: the node, the instance, and the checks that govern it.</summary>
internal sealed record HealthEntry(NodeInfo Node, ServiceRecord Service, IReadOnlyList<CheckRecord> Checks);
