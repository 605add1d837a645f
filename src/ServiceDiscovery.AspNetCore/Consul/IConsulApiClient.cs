// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// The seam over Consul's HTTP API (../shared/consul-api.md). Everything above this layer (registration,
/// discovery, http) talks to Consul only through it, so unit tests replace it with a delegate-driven fake.
/// </summary>
/// <remarks>
/// Every method throws <see cref="ConsulException"/> for a non-200 answer (with Consul's status code and plain-text
/// body), for a transport failure or timeout (<see cref="ConsulException.Reason"/> tells which) and for a body that is
/// not the JSON the endpoint documents. Cancellation through the <c>cancellationToken</c> surfaces as
/// <see cref="OperationCanceledException"/>, never as a <see cref="ConsulException"/>.
/// </remarks>
internal interface IConsulApiClient
{
    /// <summary>The agent address requests go to, for messages (never carries the token).</summary>
    Uri Address { get; }

    // ---- Agent (§1-§5, §13) -------------------------------------------------------------------------------------

    /// <summary><c>PUT /v1/agent/service/register[?replace-existing-checks=true]</c>.</summary>
    Task RegisterServiceAsync(AgentServiceRegistration registration, bool replaceExistingChecks, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/agent/service/deregister/{id}</c>. Returns <see langword="false"/> when the agent answered 404 (unknown id).</summary>
    Task<bool> DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/agent/service/{id}</c>. Returns <see langword="null"/> on 404.</summary>
    Task<AgentService?> GetAgentServiceAsync(string serviceId, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/agent/services[?filter=]</c>, keyed by service id.</summary>
    Task<IReadOnlyDictionary<string, AgentService>> GetAgentServicesAsync(string? filter, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/agent/checks[?filter=]</c>, keyed by check id.</summary>
    Task<IReadOnlyDictionary<string, HealthCheck>> GetAgentChecksAsync(string? filter, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/agent/service/maintenance/{id}?enable=true|false[&amp;reason=]</c>.</summary>
    Task SetServiceMaintenanceAsync(string serviceId, bool enable, string? reason, CancellationToken cancellationToken);

    /// <summary>
    /// TTL update. <c>PUT /v1/agent/check/update/{checkId}</c> with <c>{"Status","Output"}</c>.
    /// Consul answers 404 for an unknown check id (the agent forgot us: register again).
    /// </summary>
    Task UpdateTtlAsync(string checkId, ConsulHealthStatus status, string? output, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/agent/check/pass|warn|fail/{checkId}[?note=]</c>.</summary>
    Task SetTtlAsync(string checkId, ConsulHealthStatus status, string? note, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/agent/self</c> (the parts we read: Config and Member).</summary>
    Task<AgentSelf> GetAgentSelfAsync(CancellationToken cancellationToken);

    // ---- Health (§6) --------------------------------------------------------------------------------------------

    /// <summary>
    /// <c>GET /v1/health/service/{service}</c> with <c>passing</c>, repeated <c>tag</c>, <c>near</c> from
    /// <paramref name="query"/> and <c>index</c>/<c>wait</c>/consistency/<c>dc</c>/<c>filter</c>/token from <paramref name="options"/>.
    /// </summary>
    Task<QueryResult<IReadOnlyList<ServiceEntry>>> GetHealthServiceAsync(string service, HealthServiceQuery query, QueryOptions options, CancellationToken cancellationToken);

    // ---- Catalog (§7) -------------------------------------------------------------------------------------------

    /// <summary><c>GET /v1/catalog/services</c>: service name → deduplicated tags.</summary>
    Task<QueryResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>> GetCatalogServicesAsync(QueryOptions options, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/catalog/service/{service}[?tag=..]</c>.</summary>
    Task<QueryResult<IReadOnlyList<CatalogService>>> GetCatalogServiceAsync(string service, IReadOnlyList<string>? tags, QueryOptions options, CancellationToken cancellationToken);

    // ---- KV (§11) -----------------------------------------------------------------------------------------------

    /// <summary><c>GET /v1/kv/{key}</c>. <see cref="QueryResult{T}.Value"/> is <see langword="null"/> on 404 (index headers still read).</summary>
    Task<QueryResult<KVPair?>> GetKeyAsync(string key, QueryOptions options, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/kv/{prefix}?recurse</c>. An absent prefix gives an empty list.</summary>
    Task<QueryResult<IReadOnlyList<KVPair>>> ListKeysAsync(string prefix, QueryOptions options, CancellationToken cancellationToken);

    /// <summary><c>GET /v1/kv/{prefix}?keys[&amp;separator=]</c>. An absent prefix gives an empty list.</summary>
    Task<QueryResult<IReadOnlyList<string>>> GetKeyNamesAsync(string prefix, string? separator, QueryOptions options, CancellationToken cancellationToken);

    /// <summary><c>PUT /v1/kv/{key}[?cas=][&amp;flags=]</c>: the raw body. Returns Consul's <c>true</c>/<c>false</c> (false: CAS lost).</summary>
    Task<bool> PutKeyAsync(string key, ReadOnlyMemory<byte> value, ulong? cas, ulong? flags, CancellationToken cancellationToken);

    /// <summary><c>DELETE /v1/kv/{key}[?recurse][&amp;cas=]</c>. Returns Consul's <c>true</c>/<c>false</c>.</summary>
    Task<bool> DeleteKeyAsync(string key, bool recurse, ulong? cas, CancellationToken cancellationToken);

    // ---- Status (§13) -------------------------------------------------------------------------------------------

    /// <summary><c>GET /v1/status/leader</c>: <c>"host:port"</c>, or empty when there is no leader.</summary>
    Task<string> GetLeaderAsync(CancellationToken cancellationToken);
}
