// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ServiceDiscovery.AspNetCore.Consul;

internal sealed partial class ConsulApiClient
{
    /// <summary>The largest response body the client reads; past it the call fails instead of buffering more.</summary>
    internal const long MaxResponseBytes = 16 * 1024 * 1024;

    /// <summary>How much of an error body is read, and how many characters of it are kept.</summary>
    private const int MaxErrorBodyBytes = 4096;
    private const int MaxErrorBodyChars = 1024;

    /// <summary>Consul's server-side cap on <c>wait</c> (§8); a longer wait still returns after this much.</summary>
    private static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    /// <summary>Consul's default <c>wait</c> when a blocking query names none (§8).</summary>
    private static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(5);

    /// <summary>Reads a 200 answer's body from its stream (already limited to the call's size).</summary>
    private delegate ValueTask<T> BodyReader<T>(Stream body, CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="call"/> and decodes a 200 body as <paramref name="bodyType"/> (none when null).</summary>
    private Task<ConsulResponse<T>> SendAsync<T>(ConsulCall call, JsonTypeInfo<T>? bodyType, CancellationToken cancellationToken)
        => SendCoreAsync<T>(call, bodyType is null ? null : (body, ct) => ReadJsonAsync(body, bodyType, ct), cancellationToken);

    private async Task<ConsulResponse<T>> SendOnceAsync<T>(ConsulCall call, string? token, BodyReader<T>? bodyType, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var address = Address;
        var timeout = options.Timeout + call.BlockingWait + (call.BlockingWait / 16);
        var method = call.Method.Method;

        var blocking = call.BlockingWait > TimeSpan.Zero;

        // Internal, not Client: the HttpClient's own span (a child of this one) is the request's client span.
        using var activity = ConsulTelemetry.ActivitySource.StartActivity($"{method} {call.Endpoint}", ActivityKind.Internal);
        activity?.SetTag("url.template", call.Endpoint);
        activity?.SetTag("http.request.method", method);
        activity?.SetTag("server.address", address.Host);
        activity?.SetTag("server.port", address.Port);
        if (blocking)
        {
            activity?.SetTag("consul.blocking_query", true);
        }

        using var timeoutCts = new CancellationTokenSource(timeout, _timeProvider);
        using var linkedCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        var started = _timeProvider.GetTimestamp();
        int? statusCode = null;
        try
        {
            using var request = new HttpRequestMessage(call.Method, new Uri(address, call.PathAndQuery)) { Content = call.Content };
            if (!string.IsNullOrEmpty(token))
            {
                request.Headers.TryAddWithoutValidation("X-Consul-Token", token);
            }

            var client = _httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linkedCts.Token).ConfigureAwait(false);
            statusCode = (int)response.StatusCode;
            activity?.SetTag("http.response.status_code", statusCode);

            ConsulResponse<T> result;
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var (index, knownLeader, lastContact, filtered) = ReadMeta(call, response);
                var value = bodyType is null ? default : await ReadBodyAsync(response, bodyType, call.MaxResponseBytes, linkedCts.Token).ConfigureAwait(false);
                result = new ConsulResponse<T>(value, Found: true, index, knownLeader, lastContact, filtered);
            }
            else if (response.StatusCode == HttpStatusCode.NotFound && call.NotFoundIsAnswer)
            {
                var (index, knownLeader, lastContact, filtered) = ReadMeta(call, response);
                result = new ConsulResponse<T>(default, Found: false, index, knownLeader, lastContact, filtered);
            }
            else
            {
                var body = await ReadErrorBodyAsync(response, token, linkedCts.Token).ConfigureAwait(false);
                Log.ApiError(_logger, method, call.Path, address, statusCode.Value, body);
                throw new ConsulException(
                    $"Consul answered {statusCode} ({response.ReasonPhrase}) to {method} {call.Path} at {address}: {(body.Length == 0 ? "(empty body)" : body)}",
                    ConsulErrorReason.ApiError,
                    response.StatusCode,
                    body);
            }

            var elapsed = _timeProvider.GetElapsedTime(started);
            Log.RequestCompleted(_logger, method, call.Path, statusCode.Value, elapsed.TotalMilliseconds);
            _telemetry.RecordRequest(call.Endpoint, method, blocking, statusCode, error: null, elapsed);
            return result;
        }
        catch (ConsulException ex)
        {
            Fail(ex.Reason, ex);
            throw;
        }
        catch (OperationCanceledException ex) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Log.Timeout(_logger, method, call.Path, address, timeout);
            var error = new ConsulException(
                $"Consul {method} {call.Path} at {address} did not answer within {timeout} ({options.SectionPath}:Timeout {options.Timeout}{(call.BlockingWait > TimeSpan.Zero ? $" plus the blocking wait {call.BlockingWait} and its jitter" : string.Empty)}).",
                ConsulErrorReason.Timeout,
                statusCode: null,
                responseBody: null,
                ex);
            Fail(ConsulErrorReason.Timeout, error);
            throw error;
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested && ex.CancellationToken != cancellationToken)
        {
            // Surface the caller's token, not our linked one, so callers can tell their own cancellation apart.
            throw new OperationCanceledException(ex.Message, ex, cancellationToken);
        }
        catch (ResponseTooLargeException ex)
        {
            throw Invalid(call, address, $"the response is larger than the client's {ex.Limit / (1024 * 1024)} MiB limit", ex);
        }
        catch (JsonException ex)
        {
            throw Invalid(call, address, $"the body is not the JSON this endpoint documents ({ex.Message})", ex);
        }
        catch (UnexpectedResponseException ex)
        {
            throw Invalid(call, address, ex.Message, inner: null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            Log.ConnectionFailed(_logger, method, call.Path, address, ex);
            var error = new ConsulException(
                ConsulTlsDiagnosis.Describe(ex, address, options.Tls, options.SectionPath) is { } tlsCause
                    ? $"{tlsCause}. (Consul {method} {call.Path} at {address}.)"
                    : $"Consul {method} {call.Path} could not reach {address}: {ex.Message} Check {options.SectionPath}:Address (or CONSUL_HTTP_ADDR) and that the agent is running.",
                ConsulErrorReason.ConnectionFailed,
                statusCode: null,
                responseBody: null,
                ex);
            Fail(ConsulErrorReason.ConnectionFailed, error);
            throw error;
        }

        ConsulException Invalid(ConsulCall call, Uri address, string problem, Exception? inner)
        {
            Log.InvalidResponse(_logger, method, call.Path, address, problem);
            var error = new ConsulException(
                $"Consul {method} {call.Path} at {address} answered {statusCode} but {problem}. Check that {options.SectionPath}:Address points to a Consul agent's HTTP API, not a proxy or another server.",
                ConsulErrorReason.InvalidResponse,
                (HttpStatusCode?)statusCode,
                responseBody: null,
                inner);
            Fail(ConsulErrorReason.InvalidResponse, error);
            return error;
        }

        void Fail(ConsulErrorReason reason, Exception error)
        {
            activity?.SetStatus(ActivityStatusCode.Error, error.Message);
            activity?.SetTag("error.type", ConsulTelemetry.ErrorType(reason, statusCode));
            _telemetry.RecordRequest(call.Endpoint, method, blocking, statusCode, reason, _timeProvider.GetElapsedTime(started));
        }
    }

    private static async Task<T> ReadBodyAsync<T>(HttpResponseMessage response, BodyReader<T> readBody, long limit, CancellationToken cancellationToken)
    {
        var content = response.Content;
        if (content.Headers.ContentLength > limit)
        {
            throw new ResponseTooLargeException(limit);
        }

        if (content.Headers.ContentType?.MediaType is { } mediaType && IsMarkup(mediaType))
        {
            throw new UnexpectedResponseException($"its body is {mediaType}, not JSON");
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var limited = new LengthLimitedStream(stream, limit);
        await using (limited.ConfigureAwait(false))
        {
            return await readBody(limited, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask<T> ReadJsonAsync<T>(Stream body, JsonTypeInfo<T> bodyType, CancellationToken cancellationToken)
    {
        var value = await JsonSerializer.DeserializeAsync(body, bodyType, cancellationToken).ConfigureAwait(false);
        return value ?? throw new UnexpectedResponseException("its body is JSON null");
    }

    private static bool IsMarkup(string mediaType)
        => mediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase)
        || mediaType.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase)
        || mediaType.Equals("text/xml", StringComparison.OrdinalIgnoreCase);

    private static (ulong Index, bool KnownLeader, TimeSpan LastContact, bool FilteredByAcls) ReadMeta(ConsulCall call, HttpResponseMessage response)
    {
        ulong index = 0;
        if (call.ExpectsIndex)
        {
            var raw = Header(response.Headers, "X-Consul-Index");
            if (raw is null || !ulong.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out index))
            {
                var seen = raw is null ? "no X-Consul-Index header" : $"the X-Consul-Index header '{Truncate(raw, 40)}', which is not an unsigned integer";
                throw new UnexpectedResponseException($"it sent {seen}, which a Consul agent always sends on this endpoint");
            }
        }

        var knownLeader = string.Equals(Header(response.Headers, "X-Consul-KnownLeader"), "true", StringComparison.OrdinalIgnoreCase);
        var lastContact = ulong.TryParse(Header(response.Headers, "X-Consul-LastContact"), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : TimeSpan.Zero;
        var filtered = string.Equals(Header(response.Headers, "X-Consul-Results-Filtered-By-ACLs"), "true", StringComparison.OrdinalIgnoreCase);
        return (index, knownLeader, lastContact, filtered);
    }

    private static string? Header(HttpResponseHeaders headers, string name)
        => headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    /// <summary>
    /// Reads at most <see cref="MaxErrorBodyBytes"/> of Consul's plain-text error, trimmed and capped. The token is
    /// masked should a proxy ever echo it.
    /// </summary>
    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, string? token, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxErrorBodyBytes];
            var filled = 0;
            int read;
            while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
            {
                filled += read;
            }

            var text = Encoding.UTF8.GetString(buffer, 0, filled).Trim();
            if (!string.IsNullOrEmpty(token))
            {
                text = text.Replace(token, "[redacted]", StringComparison.Ordinal);
            }

            return Truncate(text, MaxErrorBodyChars);
        }
    }

    private static string Truncate(string text, int maxChars) => text.Length <= maxChars ? text : string.Concat(text.AsSpan(0, maxChars), "...");

    /// <summary>How long Consul may hold a blocking query before answering (0 when the call does not block).</summary>
    private static TimeSpan BlockingWait(QueryOptions options)
    {
        if (options.Index == 0)
        {
            return TimeSpan.Zero;
        }

        return options.Wait is { } wait && wait > TimeSpan.Zero ? (wait > MaxWait ? MaxWait : wait) : DefaultWait;
    }

    /// <summary>A 200 that is not what the endpoint documents, for a reason other than malformed JSON.</summary>
    private sealed class UnexpectedResponseException(string problem) : Exception(problem);

    /// <summary>One request: what to send and how to read the answer.</summary>
    private readonly record struct ConsulCall(HttpMethod Method, string Endpoint, string Path, string PathAndQuery)
    {
        public string? Token { get; init; }

        public HttpContent? Content { get; init; }

        /// <summary>Added to the timeout of a blocking query.</summary>
        public TimeSpan BlockingWait { get; init; }

        /// <summary>The endpoint documents <c>X-Consul-Index</c>: missing or garbage means "not a Consul agent".</summary>
        public bool ExpectsIndex { get; init; }

        /// <summary>404 is an answer (unknown id, absent key), not an error.</summary>
        public bool NotFoundIsAnswer { get; init; }

        /// <summary>The largest body read; past it the call fails instead of buffering more.</summary>
        public long MaxResponseBytes { get; init; } = ConsulApiClient.MaxResponseBytes;
    }

    private readonly record struct ConsulResponse<T>(T? Value, bool Found, ulong Index, bool KnownLeader, TimeSpan LastContact, bool FilteredByAcls)
    {
        public QueryResult<TResult> ToResult<TResult>(TResult value) => new(value, Index, KnownLeader, LastContact) { ResultsFilteredByAcls = FilteredByAcls };
    }
}
