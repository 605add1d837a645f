// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>
/// Consul's blocking-query contract (§8): <c>index</c> and <c>wait</c> parsing with its 400 texts, consistency
/// modes, the wait loop (return once the result index passes the client's, or at timeout with current data),
/// and the <c>X-Consul-*</c> metadata headers.
/// </summary>
internal sealed class BlockingQuery
{
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(10);

    private BlockingQuery(ulong minIndex, TimeSpan wait, string consistency)
    {
        MinIndex = minIndex;
        Wait = wait;
        Consistency = consistency;
    }

    public ulong MinIndex { get; }

    public TimeSpan Wait { get; }

    public string Consistency { get; }

    /// <summary>The same consistency without blocking: for endpoints that parse <c>?index</c> but answer at once.</summary>
    public BlockingQuery AnsweringAtOnce() => new(0, Wait, Consistency);

    /// <summary>Parses the query's blocking and consistency options, or writes Consul's 400 and returns null.</summary>
    public static async Task<BlockingQuery?> ParseAsync(AgentRequest request)
    {
        // http.go parseInternal: consistency first, then parseWait (wait, then index); empty values are ignored.
        var query = request.Query;
        var stale = query.Has("stale");
        var consistent = query.Has("consistent");
        if (stale && consistent)
        {
            await Responses.WriteErrorAsync(request.Context, 400, "Cannot specify ?stale with ?consistent, conflicting semantics.").ConfigureAwait(false);
            return null;
        }

        if (query.Get("max_stale") is { Length: > 0 } maxStale)
        {
            if (!GoDuration.TryParse(maxStale, out _, out _))
            {
                await Responses.WriteErrorAsync(request.Context, 400, $"Invalid max_stale value \"{maxStale}\"").ConfigureAwait(false);
                return null;
            }

            stale = true;
        }

        var wait = TimeSpan.Zero;
        if (query.Get("wait") is { Length: > 0 } rawWait)
        {
            if (!GoDuration.TryParse(rawWait, out var parsedWait, out _))
            {
                await Responses.WriteErrorAsync(request.Context, 400, "Invalid wait time").ConfigureAwait(false);
                return null;
            }

            wait = parsedWait.ToTimeSpan();
        }

        ulong index = 0;
        if (query.Get("index") is { Length: > 0 } rawIndex
            && !ulong.TryParse(rawIndex, NumberStyles.None, CultureInfo.InvariantCulture, out index))
        {
            await Responses.WriteErrorAsync(request.Context, 400, "Invalid index").ConfigureAwait(false);
            return null;
        }

        if (wait <= TimeSpan.Zero)
        {
            wait = DefaultWait;
        }

        if (wait > MaxWait)
        {
            wait = MaxWait;
        }

        return new BlockingQuery(index, wait, stale ? "stale" : consistent ? "consistent" : "leader");
    }

    /// <summary>
    /// Runs <paramref name="evaluate"/> (under the store lock) until its index passes <see cref="MinIndex"/>, the
    /// wait (plus up to wait/16 jitter) ends or a snapshot restore replaces the state (the last result is then
    /// answered, as Consul's abandoned state store ends the query), then sets the metadata headers and lets it write.
    /// </summary>
    /// <typeparam name="T">The evaluated result.</typeparam>
    public async Task<T> RunAsync<T>(AgentRequest request, Func<(ulong Index, T Result)> evaluate)
    {
        var store = request.Store;
        (ulong Index, T Result) current;
        if (MinIndex == 0)
        {
            lock (store.Sync)
            {
                current = evaluate();
            }

            SetMeta(request.Response, current.Index);
            return current.Result;
        }

        var jitterMs = (int)Math.Min(int.MaxValue, Wait.TotalMilliseconds / 16);
        var timeout = Wait + TimeSpan.FromMilliseconds(jitterMs > 0 ? RandomNumberGenerator.GetInt32(jitterMs) : 0);
        using var timeoutSource = new CancellationTokenSource(timeout, request.Options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, request.Aborted);
        store.EnterBlocking();
        try
        {
            current = await WaitAsync(request, evaluate, timeoutSource, linked.Token).ConfigureAwait(false);
        }
        finally
        {
            store.ExitBlocking();
        }

        SetMeta(request.Response, current.Index);
        return current.Result;
    }

    private async Task<(ulong Index, T Result)> WaitAsync<T>(
        AgentRequest request, Func<(ulong Index, T Result)> evaluate, CancellationTokenSource timeoutSource, CancellationToken token)
    {
        var store = request.Store;
        (ulong Index, T Result) current = default;
        ulong? generation = null;
        while (true)
        {
            Task changed;
            lock (store.Sync)
            {
                // A snapshot restore abandons the state the query was watching: it returns what it had (blockingquery.go).
                if (generation is { } seen && store.Generation != seen)
                {
                    break;
                }

                generation = store.Generation;
                changed = store.Changes.NextChange;
                current = evaluate();
            }

            if (current.Index > MinIndex || timeoutSource.IsCancellationRequested)
            {
                break;
            }

            request.Aborted.ThrowIfCancellationRequested();
            try
            {
                await changed.WaitAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !request.Aborted.IsCancellationRequested)
            {
                // Timed out: one last evaluation returns the current data and index.
            }
        }

        return current;
    }

    private void SetMeta(HttpResponse response, ulong index)
    {
        var headers = response.Headers;
        headers["X-Consul-Index"] = Math.Max(1, index).ToString(CultureInfo.InvariantCulture);
        headers["X-Consul-KnownLeader"] = "true";
        headers["X-Consul-LastContact"] = "0";
        headers["X-Consul-Effective-Consistency"] = Consistency;
        headers["X-Consul-Query-Backend"] = "blocking-query";
    }
}
