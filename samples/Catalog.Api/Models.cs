// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace Catalog.Api;

/// <summary>What <c>GET /instance</c> answers: who this instance is in Consul.</summary>
internal sealed record InstanceInfo(string? Id, string? Name, int? Port, bool Registered);

/// <summary>An item of the catalog.</summary>
internal sealed record CatalogItem(int Id, string Name);

/// <summary>
/// Names this assembly for <c>WebApplicationFactory&lt;CatalogApiEntryPoint&gt;</c> in tests. A namespaced marker instead of
/// the usual <c>public partial class Program</c>, so test projects can reference several samples without two global
/// <c>Program</c> types colliding.
/// </summary>
public sealed class CatalogApiEntryPoint;
