// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Tests.Fakes;

/// <summary>
/// A test-driven <see cref="IConsulCatalogApi"/> for the datacenter watch: <c>/v1/catalog/services</c> is a
/// <see cref="FakeBlockingQuery{T}"/> (the services table). Discovery reads no other catalog endpoint but
/// <c>/v1/catalog/datacenters</c> (<see cref="Datacenters"/>) for a failover to the nearest datacenters.
/// </summary>
internal sealed class FakeConsulCatalogApi : IConsulCatalogApi
{
    public Uri Address { get; } = new("http://127.0.0.1:8500/");

    /// <summary>Gets the <c>/v1/catalog/services</c> answer: service name → tags.</summary>
    public FakeBlockingQuery<IReadOnlyDictionary<string, IReadOnlyList<string>>> Services { get; } =
        new(new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal), index: 1);

    public Task<QueryResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>> GetCatalogServicesAsync(QueryOptions options, CancellationToken cancellationToken)
        => Services.QueryAsync(options, cancellationToken);

    /// <summary>Gets or sets the <c>/v1/catalog/datacenters</c> answer (the agent's own first), or a failure to throw.</summary>
    public Func<IReadOnlyList<string>> Datacenters { get; set; } = static () => ["dc1"];

    public Task<IReadOnlyList<string>> GetDatacentersAsync(CancellationToken cancellationToken) => Task.FromResult(Datacenters());

    public Task<QueryResult<IReadOnlyList<CatalogService>>> GetCatalogServiceAsync(string service, IReadOnlyList<string>? tags, QueryOptions options, CancellationToken cancellationToken)
        => throw new InvalidOperationException("Discovery never reads /v1/catalog/service/{name}; FakeConsulCatalogApi does not answer it.");
}
