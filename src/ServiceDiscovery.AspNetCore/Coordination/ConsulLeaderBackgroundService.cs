// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Hosting;

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// A <see cref="BackgroundService"/> whose work runs only while this instance leads an election: once per term,
/// with a token that fires when the term ends (leadership lost, the session not renewed in time, or the host
/// stopping). Work that returns early waits for the next term.
/// </summary>
/// <param name="election">The election to follow, typically injected with <c>[FromKeyedServices(name)]</c>.</param>
public abstract class ConsulLeaderBackgroundService(IConsulLeaderElection election) : BackgroundService
{
    /// <summary>The election this service follows.</summary>
    protected IConsulLeaderElection Election { get; } = election ?? throw new ArgumentNullException(nameof(election));

    /// <summary>The work of one term. Stop promptly when <paramref name="leadershipToken"/> fires.</summary>
    /// <param name="leadershipToken">Fires when the term ends or the host stops.</param>
    /// <returns>The work.</returns>
    protected abstract Task ExecuteAsLeaderAsync(CancellationToken leadershipToken);

    /// <inheritdoc />
    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            CancellationToken term;
            try
            {
                term = await Election.WaitForLeadershipAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            using var both = CancellationTokenSource.CreateLinkedTokenSource(term, stoppingToken);
            try
            {
                await ExecuteAsLeaderAsync(both.Token).ConfigureAwait(false);
                await Task.Delay(Timeout.Infinite, both.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (both.IsCancellationRequested)
            {
                // The term ended: wait for the next one.
            }
        }
    }
}
