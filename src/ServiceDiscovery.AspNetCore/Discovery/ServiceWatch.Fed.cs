// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Datacenter mode: no loop of its own; <see cref="DatacenterWatch"/> calls <see cref="RefreshAsync"/> when the name
/// changed, and marks the answer stale or fresh as its own blocking queries fail and recover.
/// </summary>
internal sealed partial class ServiceWatch
{
    private int _refreshRequests;
    private int _refreshFailures;

    /// <summary>Failed refreshes in a row (for the retry backoff).</summary>
    public int RefreshFailures => Volatile.Read(ref _refreshFailures);

    /// <summary>
    /// Reads the name once, without blocking. A call made while another runs makes that one read again instead (one
    /// read at a time per name, and none lost). Returns <see langword="false"/> when the read failed (retry later).
    /// </summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _refreshRequests) > 1)
        {
            return true;
        }

        while (true)
        {
            Volatile.Write(ref _refreshRequests, 1);
            if (_current is null && _firstResult.Task.IsCompleted)
            {
                // A retry of a failed first fetch: lookups from now on wait for this attempt.
                _firstResult = NewFirstResult();
            }

            try
            {
                var options = _query.ToQueryOptions(index: 0, _options.WaitTime) with { Wait = null };
                var result = await _client.GetHealthServiceAsync(ServiceName, _query.HealthQuery, options, cancellationToken).ConfigureAwait(false);
                OnAnswer(result.Value, result.LastIndex, _refreshFailures);
                Volatile.Write(ref _refreshFailures, 0);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                Volatile.Write(ref _refreshRequests, 0);
                throw;
            }
#pragma warning disable CA1031 // Any failure must not end datacenter watching: keep last-known-good and retry.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                OnFailure(ex, Interlocked.Increment(ref _refreshFailures));
                Volatile.Write(ref _refreshRequests, 0);
                return false;
            }

            if (Interlocked.CompareExchange(ref _refreshRequests, 0, 1) == 1)
            {
                return true;
            }
        }
    }

    /// <summary>The datacenter watch lost Consul: serve the last-known-good answer as stale (logged once, by it).</summary>
    public void MarkStale()
    {
        lock (_gate)
        {
            if (_current is { IsStale: false } current)
            {
                Publish(token => current.With(isStale: true, token));
            }
        }
    }

    /// <summary>
    /// The datacenter watch reached Consul again and this name did not change meanwhile: clear staleness. Not while a
    /// read of the name runs (it may have been asked for because the name changed; its answer clears staleness) or after
    /// one failed (its retry will).
    /// </summary>
    public void MarkFresh()
    {
        lock (_gate)
        {
            if (_current is { IsStale: true } current && _refreshFailures == 0 && Volatile.Read(ref _refreshRequests) == 0)
            {
                Publish(token => current.With(isStale: false, token));
            }
        }
    }
}
