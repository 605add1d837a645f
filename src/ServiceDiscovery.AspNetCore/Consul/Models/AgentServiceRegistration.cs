// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>Body of <c>PUT /v1/agent/service/register</c> (docs/consul-http-api.md §1). Null members are omitted on the wire.</summary>
internal sealed record AgentServiceRegistration
{
    public string? ID { get; init; }
    public required string Name { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public int? Port { get; init; }
    public string? Address { get; init; }
    public IReadOnlyDictionary<string, ServiceAddress>? TaggedAddresses { get; init; }
    public bool? EnableTagOverride { get; init; }
    public IReadOnlyDictionary<string, string>? Meta { get; init; }
    public ServiceWeights? Weights { get; init; }
    public AgentServiceCheck? Check { get; init; }
    public IReadOnlyList<AgentServiceCheck>? Checks { get; init; }

    /// <summary><c>{"Native": true}</c> for a Connect-native app; omitted otherwise.</summary>
    public AgentServiceConnect? Connect { get; init; }
}
