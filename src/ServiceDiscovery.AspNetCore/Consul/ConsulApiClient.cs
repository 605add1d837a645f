// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// <see cref="IConsulApiClient"/> over the named <see cref="HttpClient"/> <see cref="HttpClientName"/>. Paths, query
/// strings, headers and bodies follow consul-api.md; transport, timeouts and error mapping live in
/// <c>ConsulApiClient.Send.cs</c>.
/// </summary>
/// <remarks>
/// Options are read per request from <see cref="IOptionsMonitor{TOptions}"/>: a reloaded Address, Token,
/// Datacenter or Timeout applies to the next request (a blocking query already in flight finishes against the old
/// values). TLS settings shape the primary handler, which <see cref="IHttpClientFactory"/> rebuilds when it rotates
/// handlers (every 2 minutes by default).
/// </remarks>
internal sealed partial class ConsulApiClient : IConsulApiClient
{
    /// <summary>The name of the <see cref="HttpClient"/> the client uses; add handlers to its pipeline with <c>AddHttpClient(HttpClientName)</c>.</summary>
    public const string HttpClientName = "ServiceDiscovery.Consul";

    /// <summary>Used when neither configuration nor <c>CONSUL_HTTP_ADDR</c> names an agent.</summary>
    public const string DefaultAddress = "http://127.0.0.1:8500";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly MediaTypeHeaderValue OctetStreamMediaType = new("application/octet-stream");

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IOptionsMonitor<ConsulOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ConsulTelemetry _telemetry;
    private readonly ILogger _logger;
    private volatile ParsedAddress? _address;

    public ConsulApiClient(
        IHttpClientFactory httpClientFactory,
        IOptionsMonitor<ConsulOptions> options,
        TimeProvider timeProvider,
        ConsulTelemetry telemetry,
        ILogger<ConsulApiClient> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(logger);
        _httpClientFactory = httpClientFactory;
        _options = options;
        _timeProvider = timeProvider;
        _telemetry = telemetry;
        _logger = logger;
    }

    /// <inheritdoc />
    public Uri Address
    {
        get
        {
            var raw = _options.CurrentValue.Address;
            raw = string.IsNullOrWhiteSpace(raw) ? DefaultAddress : raw;
            var cached = _address;
            if (cached is null || !ReferenceEquals(cached.Raw, raw))
            {
                // The validator has rejected anything that is not an absolute http(s) URL without a path.
                var uri = new Uri(raw, UriKind.Absolute);
                cached = new ParsedAddress(raw, new Uri(uri.GetLeftPart(UriPartial.Authority) + "/", UriKind.Absolute));
                _address = cached;
            }

            return cached.Uri;
        }
    }

    // ---- Agent --------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public async Task RegisterServiceAsync(AgentServiceRegistration registration, bool replaceExistingChecks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        const string path = "v1/agent/service/register";
        var call = new ConsulCall(HttpMethod.Put, "/v1/agent/service/register", "/" + path, new ConsulQuery().Add("replace-existing-checks", replaceExistingChecks ? "true" : null).Apply(path))
        {
            Content = Json(registration, ConsulJsonContext.Default.AgentServiceRegistration),
        };
        await SendAsync<object>(call, bodyType: null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var path = "v1/agent/service/deregister/" + ConsulPath.Segment(serviceId);
        var call = new ConsulCall(HttpMethod.Put, "/v1/agent/service/deregister/{service_id}", "/" + path, path) { NotFoundIsAnswer = true };
        var response = await SendAsync<object>(call, bodyType: null, cancellationToken).ConfigureAwait(false);
        return response.Found;
    }

    /// <inheritdoc />
    public async Task<AgentService?> GetAgentServiceAsync(string serviceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var path = "v1/agent/service/" + ConsulPath.Segment(serviceId);
        var call = new ConsulCall(HttpMethod.Get, "/v1/agent/service/{service_id}", "/" + path, path) { NotFoundIsAnswer = true };
        var response = await SendAsync(call, ConsulJsonContext.Default.AgentService, cancellationToken).ConfigureAwait(false);
        return response.Found ? response.Value : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, AgentService>> GetAgentServicesAsync(string? filter, CancellationToken cancellationToken)
    {
        const string path = "v1/agent/services";
        var call = new ConsulCall(HttpMethod.Get, "/" + path, "/" + path, new ConsulQuery().Add("filter", NullIfEmpty(filter)).Apply(path));
        var response = await SendAsync(call, ConsulJsonContext.Default.DictionaryStringAgentService, cancellationToken).ConfigureAwait(false);
        return response.Value!;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, HealthCheck>> GetAgentChecksAsync(string? filter, CancellationToken cancellationToken)
    {
        const string path = "v1/agent/checks";
        var call = new ConsulCall(HttpMethod.Get, "/" + path, "/" + path, new ConsulQuery().Add("filter", NullIfEmpty(filter)).Apply(path));
        var response = await SendAsync(call, ConsulJsonContext.Default.DictionaryStringHealthCheck, cancellationToken).ConfigureAwait(false);
        return response.Value!;
    }

    /// <inheritdoc />
    public async Task SetServiceMaintenanceAsync(string serviceId, bool enable, string? reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var path = "v1/agent/service/maintenance/" + ConsulPath.Segment(serviceId);
        var query = new ConsulQuery().Add("enable", enable ? "true" : "false").Add("reason", enable ? NullIfEmpty(reason) : null);
        var call = new ConsulCall(HttpMethod.Put, "/v1/agent/service/maintenance/{service_id}", "/" + path, query.Apply(path));
        await SendAsync<object>(call, bodyType: null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task UpdateTtlAsync(string checkId, ConsulHealthStatus status, string? output, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkId);
        var path = "v1/agent/check/update/" + ConsulPath.Segment(checkId);
        var call = new ConsulCall(HttpMethod.Put, "/v1/agent/check/update/{check_id}", "/" + path, path)
        {
            Content = Json(new TtlUpdate(ConsulHealth.ToWire(status), output), ConsulJsonContext.Default.TtlUpdate),
        };
        await SendAsync<object>(call, bodyType: null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task SetTtlAsync(string checkId, ConsulHealthStatus status, string? note, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkId);
        var verb = status switch
        {
            ConsulHealthStatus.Passing => "pass",
            ConsulHealthStatus.Warning => "warn",
            ConsulHealthStatus.Critical => "fail",
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "A TTL check can only be set passing, warning or critical."),
        };
        var path = $"v1/agent/check/{verb}/" + ConsulPath.Segment(checkId);
        var call = new ConsulCall(HttpMethod.Put, $"/v1/agent/check/{verb}/{{check_id}}", "/" + path, new ConsulQuery().Add("note", NullIfEmpty(note)).Apply(path));
        await SendAsync<object>(call, bodyType: null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<AgentSelf> GetAgentSelfAsync(CancellationToken cancellationToken)
    {
        const string path = "v1/agent/self";
        var call = new ConsulCall(HttpMethod.Get, "/" + path, "/" + path, path);
        var response = await SendAsync(call, ConsulJsonContext.Default.AgentSelf, cancellationToken).ConfigureAwait(false);
        return response.Value!;
    }

    // ---- Health -------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public async Task<QueryResult<IReadOnlyList<ServiceEntry>>> GetHealthServiceAsync(string service, HealthServiceQuery query, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(options);
        var path = "v1/health/service/" + ConsulPath.Segment(service);
        var queryString = new ConsulQuery();
        foreach (var tag in query.Tags)
        {
            queryString.Add("tag", tag);
        }

        queryString.Add("passing", query.PassingOnly ? "1" : null).Add("near", NullIfEmpty(query.Near));
        var call = Read("/v1/health/service/{service}", path, queryString, options);
        var response = await SendAsync(call, ConsulJsonContext.Default.ListServiceEntry, cancellationToken).ConfigureAwait(false);
        return response.ToResult<IReadOnlyList<ServiceEntry>>(response.Value!);
    }

    // ---- Catalog ------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public async Task<QueryResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>> GetCatalogServicesAsync(QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string path = "v1/catalog/services";
        var call = Read("/" + path, path, new ConsulQuery(), options);
        var response = await SendAsync(call, ConsulJsonContext.Default.DictionaryStringListString, cancellationToken).ConfigureAwait(false);
        var services = new Dictionary<string, IReadOnlyList<string>>(response.Value!.Count, StringComparer.Ordinal);
        foreach (var (name, tags) in response.Value)
        {
            services[name] = tags ?? [];
        }

        return response.ToResult<IReadOnlyDictionary<string, IReadOnlyList<string>>>(services);
    }

    /// <inheritdoc />
    public async Task<QueryResult<IReadOnlyList<CatalogService>>> GetCatalogServiceAsync(string service, IReadOnlyList<string>? tags, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        ArgumentNullException.ThrowIfNull(options);
        var path = "v1/catalog/service/" + ConsulPath.Segment(service);
        var queryString = new ConsulQuery();
        foreach (var tag in tags ?? [])
        {
            queryString.Add("tag", tag);
        }

        var call = Read("/v1/catalog/service/{service}", path, queryString, options);
        var response = await SendAsync(call, ConsulJsonContext.Default.ListCatalogService, cancellationToken).ConfigureAwait(false);
        return response.ToResult<IReadOnlyList<CatalogService>>(response.Value!);
    }

    // ---- KV -----------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public async Task<QueryResult<KVPair?>> GetKeyAsync(string key, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        if (key.TrimStart('/').Length == 0)
        {
            throw new ArgumentException("A KV key must not be empty (Consul answers 400 Missing key name); use ListKeysAsync for the whole store.", nameof(key));
        }

        var call = Read("/v1/kv/{key}", "v1/kv/" + ConsulPath.Key(key), new ConsulQuery(), options) with { NotFoundIsAnswer = true };
        var response = await SendAsync(call, ConsulJsonContext.Default.ListKVPair, cancellationToken).ConfigureAwait(false);
        return response.ToResult(response.Found && response.Value is [var pair, ..] ? pair : null);
    }

    /// <inheritdoc />
    public async Task<QueryResult<IReadOnlyList<KVPair>>> ListKeysAsync(string prefix, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        var call = Read("/v1/kv/{key}", "v1/kv/" + ConsulPath.Key(prefix), new ConsulQuery().Flag("recurse"), options) with { NotFoundIsAnswer = true };
        var response = await SendAsync(call, ConsulJsonContext.Default.ListKVPair, cancellationToken).ConfigureAwait(false);
        return response.ToResult<IReadOnlyList<KVPair>>(response.Found ? response.Value! : []);
    }

    /// <inheritdoc />
    public async Task<QueryResult<IReadOnlyList<string>>> GetKeyNamesAsync(string prefix, string? separator, QueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        var query = new ConsulQuery().Flag("keys").Add("separator", NullIfEmpty(separator));
        var call = Read("/v1/kv/{key}", "v1/kv/" + ConsulPath.Key(prefix), query, options) with { NotFoundIsAnswer = true };
        var response = await SendAsync(call, ConsulJsonContext.Default.ListString, cancellationToken).ConfigureAwait(false);
        return response.ToResult<IReadOnlyList<string>>(response.Found ? response.Value! : []);
    }

    /// <inheritdoc />
    public async Task<bool> PutKeyAsync(string key, ReadOnlyMemory<byte> value, ulong? cas, ulong? flags, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var path = "v1/kv/" + ConsulPath.Key(key);
        var query = new ConsulQuery().Add("dc", NullIfEmpty(_options.CurrentValue.Datacenter)).Add("cas", Number(cas)).Add("flags", Number(flags));
        var content = new ReadOnlyMemoryContent(value);
        content.Headers.ContentType = OctetStreamMediaType;
        var call = new ConsulCall(HttpMethod.Put, "/v1/kv/{key}", "/" + path, query.Apply(path)) { Content = content };
        var response = await SendAsync(call, ConsulJsonContext.Default.Boolean, cancellationToken).ConfigureAwait(false);
        return response.Value;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteKeyAsync(string key, bool recurse, ulong? cas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!recurse && key.TrimStart('/').Length == 0)
        {
            throw new ArgumentException("A KV key must not be empty unless recurse is set.", nameof(key));
        }

        var path = "v1/kv/" + ConsulPath.Key(key);
        var query = new ConsulQuery().Add("dc", NullIfEmpty(_options.CurrentValue.Datacenter)).Flag("recurse", recurse).Add("cas", Number(cas));
        var call = new ConsulCall(HttpMethod.Delete, "/v1/kv/{key}", "/" + path, query.Apply(path));
        var response = await SendAsync(call, ConsulJsonContext.Default.Boolean, cancellationToken).ConfigureAwait(false);
        return response.Value;
    }

    // ---- Status -------------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public async Task<string> GetLeaderAsync(CancellationToken cancellationToken)
    {
        const string path = "v1/status/leader";
        var call = new ConsulCall(HttpMethod.Get, "/" + path, "/" + path, path);
        var response = await SendAsync(call, ConsulJsonContext.Default.String, cancellationToken).ConfigureAwait(false);
        return response.Value!;
    }

    // ---- Helpers ------------------------------------------------------------------------------------------------

    /// <summary>A read on a blocking-capable endpoint: <c>dc</c>, <c>index</c>, <c>wait</c>, consistency, <c>filter</c> and the token override.</summary>
    private ConsulCall Read(string endpoint, string path, ConsulQuery query, QueryOptions options)
    {
        query.Add("dc", NullIfEmpty(options.Datacenter) ?? NullIfEmpty(_options.CurrentValue.Datacenter))
            .Add("index", options.Index == 0 ? null : Number(options.Index))
            .Add("wait", options.Wait is { } wait && wait > TimeSpan.Zero ? WaitMilliseconds(wait) : null)
            .Flag("stale", options.Consistency == ConsistencyMode.Stale)
            .Flag("consistent", options.Consistency == ConsistencyMode.Consistent)
            .Add("filter", NullIfEmpty(options.Filter));
        return new ConsulCall(HttpMethod.Get, endpoint, "/" + path, query.Apply(path))
        {
            Token = options.Token,
            BlockingWait = BlockingWait(options),
            ExpectsIndex = true,
        };
    }

    /// <summary><c>wait</c> as the Go client sends it: whole milliseconds, at least 1 for a positive wait (§8).</summary>
    private static string WaitMilliseconds(TimeSpan wait)
        => Math.Max(1L, (long)wait.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";

    private static string? Number(ulong? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static ByteArrayContent Json<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = JsonMediaType;
        return content;
    }

    private sealed record ParsedAddress(string Raw, Uri Uri);
}
