// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul.Models;

/// <summary>A service tagged address: keys are `Address`/`Port` on the wire (docs/consul-http-api.md §4), whatever the docs sample shows.</summary>
internal sealed record ServiceAddress(string Address, int Port);
