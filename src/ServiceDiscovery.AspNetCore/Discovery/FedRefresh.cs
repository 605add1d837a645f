// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Datacenter mode: a fed name has no loop of its own; <see cref="DatacenterWatch"/> asks for a read of it when it
/// changed. One read at a time per name, and no request lost: a request made while a read runs makes that read go
/// again once it ends. What Consul says goes to the <see cref="IWatchSink"/>.
/// </summary>
internal sealed class FedRefresh
{
    private readonly DiscoveryQuery _query;
    private readonly IConsulHealthApi _client;
    private readonly IWatchSink _sink;
    private int _requests;
    private int _failures;
    private long _lastIndex;

    public FedRefresh(DiscoveryQuery query, IConsulHealthApi client, IWatchSink sink)
    {
        _query = query;
        _client = client;
        _sink = sink;
    }

    /// <summary>The <c>X-Consul-Index</c> of the last read that succeeded (0 before any).</summary>
    public ulong LastIndex => (ulong)Volatile.Read(ref _lastIndex);

    /// <summary>Failed reads in a row (for the retry backoff).</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>
    /// No read runs or waits to run, and the last one did not fail: the name's answer is as recent as the datacenter
    /// watch's knowledge of it.
    /// </summary>
    public bool IsSettled => Volatile.Read(ref _requests) == 0 && Volatile.Read(ref _failures) == 0;

    /// <summary>
    /// Reads the name once, without blocking; a call made while another runs makes that one read again instead.
    /// Returns <see langword="false"/> when the read failed (retry later).
    /// </summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _requests) > 1)
        {
            return true;
        }

        while (true)
        {
            Volatile.Write(ref _requests, 1);
            _sink.OnAttempt();
            try
            {
                var options = _query.ToQueryOptions(index: 0, TimeSpan.Zero) with { Wait = null };
                var result = await _client.GetHealthServiceAsync(_query.ServiceName, _query.HealthQuery, options, cancellationToken).ConfigureAwait(false);
                _sink.OnAclFiltering(result.ResultsFilteredByAcls);
                _sink.OnAnswer(result.Value, result.LastIndex, _failures);
                Volatile.Write(ref _lastIndex, (long)result.LastIndex);
                Volatile.Write(ref _failures, 0);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Volatile.Write(ref _requests, 0);
                throw;
            }
#pragma warning disable CA1031 // Any failure must not end datacenter watching: keep last-known-good and retry.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _sink.OnFailure(ex, Interlocked.Increment(ref _failures));
                Volatile.Write(ref _requests, 0);
                return false;
            }

            if (Interlocked.CompareExchange(ref _requests, 0, 1) == 1)
            {
                return true;
            }
        }
    }
}
