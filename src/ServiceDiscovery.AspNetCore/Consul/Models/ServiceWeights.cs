// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>`Weights` of a service (docs/consul-http-api.md §1, §4).</summary>
internal sealed record ServiceWeights(int Passing, int Warning);
