// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// The Consul HTTP API areas over the named <see cref="HttpClient"/> <see cref="HttpClientName"/>. Paths, query
/// strings, headers and bodies follow docs/consul-http-api.md; one file per API area; transport, timeouts and error mapping live in
/// <c>ConsulApiClient.Send.cs</c>.
/// </summary>
/// <remarks>
/// Options are read per request from <see cref="IOptionsMonitor{TOptions}"/>: a reloaded Address, Token,
/// Datacenter or Timeout applies to the next request (a blocking query already in flight finishes against the old
/// values). TLS settings shape the primary handler, which <see cref="IHttpClientFactory"/> rebuilds when it rotates
/// handlers (every 2 minutes by default).
/// </remarks>
internal sealed partial class ConsulApiClient
{
    /// <summary>The name of the <see cref="HttpClient"/> the client uses; add handlers to its pipeline with <c>AddHttpClient(HttpClientName)</c>.</summary>
    public const string HttpClientName = "ServiceDiscovery.Consul";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly MediaTypeHeaderValue OctetStreamMediaType = new("application/octet-stream");

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly IOptionsMonitor<ConsulClientOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ConsulTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly ConsulTokenFile _tokenFile;
    private volatile ParsedAddress? _address;

    public ConsulApiClient(
        IHttpClientFactory httpClientFactory,
        IOptionsMonitor<ConsulClientOptions> options,
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
        _tokenFile = new ConsulTokenFile(timeProvider);
    }

    /// <inheritdoc />
    public Uri Address
    {
        get
        {
            var raw = _options.CurrentValue.Address;
            raw = string.IsNullOrWhiteSpace(raw) ? ConsulClientOptions.DefaultAddress : raw;
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

    /// <summary>A read on a blocking-capable endpoint: <c>dc</c>, <c>index</c>, <c>wait</c>, consistency, <c>filter</c> and the token override.</summary>
    private ConsulCall Read(string endpoint, string path, ConsulQuery query, QueryOptions options)
    {
        query.Add("dc", NullIfEmpty(options.Datacenter) ?? NullIfEmpty(_options.CurrentValue.Datacenter))
            .Add("index", options.Index == 0 ? null : Number(options.Index))
            .Add("wait", options.Wait is { } wait && wait > TimeSpan.Zero ? WaitMilliseconds(wait) : null)
            .Flag("stale", options.Consistency == ConsulConsistencyMode.Stale)
            .Flag("consistent", options.Consistency == ConsulConsistencyMode.Consistent)
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
