// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>Builds <c>/v1/health/service</c> entries shaped as Consul sends them (a node's serfHealth check included).</summary>
internal static class Entries
{
    public static ServiceEntry Instance(
        string id,
        string address = "10.0.0.1",
        int port = 8080,
        string status = "passing",
        string service = "catalog",
        string node = "node1",
        string nodeAddress = "10.0.0.100",
        IReadOnlyList<string>? tags = null,
        IReadOnlyDictionary<string, string>? meta = null,
        IReadOnlyDictionary<string, ServiceAddress>? taggedAddresses = null,
        IReadOnlyDictionary<string, string>? nodeTaggedAddresses = null,
        ServiceWeights? weights = null,
        string datacenter = "dc1",
        params HealthCheck[] extraChecks)
    {
        HealthCheck[] checks =
        [
            new() { Node = node, CheckID = "serfHealth", Name = "Serf Health Status", Status = "passing" },
            new() { Node = node, CheckID = $"service:{id}", Name = $"Service '{service}' check", Status = status, ServiceID = id, ServiceName = service },
            .. extraChecks,
        ];
        return new ServiceEntry(
            new Node { Name = node, Address = nodeAddress, Datacenter = datacenter, TaggedAddresses = nodeTaggedAddresses },
            new NodeService
            {
                ID = id,
                Service = service,
                Address = address,
                Port = port,
                Tags = tags ?? [],
                Meta = meta,
                TaggedAddresses = taggedAddresses,
                Weights = weights ?? new ServiceWeights(1, 1),
            },
            checks);
    }

    public static HealthCheck Check(string checkId, string status, string serviceId = "") =>
        new() { CheckID = checkId, Status = status, ServiceID = serviceId };
}
