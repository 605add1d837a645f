// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>
/// Consul's <c>CheckAlias</c>: mirrors the health of a service instance (<c>AliasService</c>, an ID) and/or a node
/// (<c>AliasNode</c>). Without a node it reads the agent's own checks; with one, that node's catalog checks
/// (<c>serfHealth</c> included). Re-evaluated on every state change and at least once a minute, with Consul's
/// texts: <c>No checks found.</c>, <c>All checks passing.</c>, <c>Aliased check "x" failing: output</c>, and
/// <c>Service x could not be found on node y</c> (critical).
/// </summary>
internal sealed class AliasCheckRunner(CheckRecord check, LocalAgentState agent, TimeProvider time) : ICheckRunner
{
    private static readonly TimeSpan MaxBetweenUpdates = TimeSpan.FromMinutes(1);
    private readonly CancellationTokenSource _stop = new();

    public void Start() => _ = RunAsync(_stop.Token);

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary><c>processChecks</c> over the checks of the aliased node, or the agent's checks.</summary>
    internal static (string Status, string Output) Evaluate(string aliasNode, string aliasService, IEnumerable<CheckRecord> checks, bool catalog, Func<bool> serviceExists)
    {
        var health = "passing";
        var message = "No checks found.";
        var serviceFound = false;
        foreach (var c in checks.OrderBy(c => c.CheckId, StringComparer.Ordinal))
        {
            var serviceMatch = c.ServiceId == aliasService;
            if (c.ServiceId.Length > 0 && !serviceMatch)
            {
                continue;
            }

            serviceFound |= serviceMatch;
            var status = catalog ? c.CatalogStatus : c.Status;
            if (status is "critical" or "warning")
            {
                health = status;
                message = $"Aliased check \"{c.Name}\" failing: {(catalog ? c.CatalogOutput : c.Output)}";
                if (status == "critical")
                {
                    break;
                }
            }
            else if (health == "passing")
            {
                message = "All checks passing.";
            }
        }

        if (!serviceFound && !serviceExists())
        {
            return ("critical", $"Service {aliasService} could not be found on node {aliasNode}");
        }

        return (health, message);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var d = check.Definition!;
        var store = agent.Store;
        try
        {
            // Let the registration that created this check finish first.
            await Task.Yield();
            while (!cancellationToken.IsCancellationRequested)
            {
                var changed = store.Changes.NextChange;
                (string Status, string Output) result;
                lock (agent.Sync)
                {
                    if (d.AliasNode.Length == 0)
                    {
                        result = Evaluate(string.Empty, d.AliasService, agent.Checks.Values.Where(c => !ReferenceEquals(c, check)), catalog: false,
                            () => agent.Services.ContainsKey(d.AliasService));
                    }
                    else if (store.Nodes.TryGetValue(d.AliasNode, out var node))
                    {
                        result = Evaluate(d.AliasNode, d.AliasService, node.Checks.Values.Where(c => c.CheckId != check.CheckId || node.Node.Name != agent.Node.Name), catalog: true,
                            () => node.Services.ContainsKey(d.AliasService));
                    }
                    else
                    {
                        result = Evaluate(d.AliasNode, d.AliasService, [], catalog: true, () => false);
                    }
                }

                agent.ApplyResult(check, result.Status, result.Output);
                try
                {
                    await changed.WaitAsync(MaxBetweenUpdates, time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Re-query anyway, as Consul does every minute.
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Deregistered, replaced, or the agent stopped.
        }
        catch (ObjectDisposedException)
        {
            // The agent stopped.
        }
    }
}
