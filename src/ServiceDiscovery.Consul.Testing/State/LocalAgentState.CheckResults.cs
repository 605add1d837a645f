// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Checks;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// Check results, from the API (TTL updates) or from runners: the agent's copy changes at once and the catalog
/// follows, at once for a status change, after the output sync delay for an output-only change (§6).
/// </summary>
internal sealed partial class LocalAgentState
{
    /// <summary>A TTL update from the API (§5): sets status and output and restarts the TTL timer.</summary>
    public CheckResultKind UpdateTtl(string checkId, string status, string output)
    {
        CheckRecord? check;
        lock (Sync)
        {
            ThrowIfDisposed();
            if (!_checks.TryGetValue(checkId, out check))
            {
                return CheckResultKind.UnknownCheck;
            }

            if (!check.Ttl.IsPositive)
            {
                return CheckResultKind.NotTtl;
            }

            output = RegistrationRecords.TruncateOutput(output, check.OutputMaxSize);
            ApplyResultLocked(check, status, output);
        }

        (check.Runner as TtlCheckRunner)?.Restart(output);
        return CheckResultKind.Updated;
    }

    /// <summary>A result from a check runner: ignored when the runner's check was replaced or removed meanwhile.</summary>
    public void ApplyResult(CheckRecord check, string status, string output)
    {
        lock (Sync)
        {
            if (IsCurrent(check))
            {
                ApplyResultLocked(check, status, output);
            }
        }
    }

    private void ApplyResultLocked(CheckRecord check, string status, string output)
    {
        if (status == "critical")
        {
            check.CriticalSince ??= _time.GetUtcNow();
        }
        else
        {
            check.CriticalSince = null;
        }

        if (check.Status == status && check.Output == output)
        {
            return;
        }

        var statusChanged = check.Status != status;
        if (statusChanged)
        {
            Log.CheckStatusChanged(_logger, check.CheckId, check.Status, status);
        }

        check.Status = status;
        check.Output = output;
        if (!statusChanged && _outputSyncDelay > TimeSpan.Zero)
        {
            // Consul defers output-only changes to the catalog (check_update_interval); the agent view is current.
            check.DeferredSync ??= _time.CreateTimer(_ => SyncDeferred(check), null, _outputSyncDelay, Timeout.InfiniteTimeSpan);
            return;
        }

        check.DeferredSync?.Dispose();
        check.DeferredSync = null;
        _store.SyncCheckStatus(Node.Name, check);
    }

    private void SyncDeferred(CheckRecord check)
    {
        lock (Sync)
        {
            if (!IsCurrent(check))
            {
                return;
            }

            check.DeferredSync?.Dispose();
            check.DeferredSync = null;
            _store.SyncCheckStatus(Node.Name, check);
        }

        _store.Changes.Publish();
    }
}
