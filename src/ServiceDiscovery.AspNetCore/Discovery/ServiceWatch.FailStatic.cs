// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Fail-static (<c>Consul:Discovery:SnapshotPath</c>): fresh answers are saved to the snapshot file, and when the first
/// query of the name fails because Consul is unreachable, the saved instances are served, stale, until Consul answers.
/// </summary>
internal sealed partial class ServiceWatch
{
    private readonly DiscoverySnapshotStore? _snapshots;
    private string? _queryKey;
    private volatile bool _servedFromFile;

    /// <summary>Whether the served instances come from the snapshot file (no answer from Consul yet).</summary>
    public bool ServedFromFile => _servedFromFile;

    /// <summary>What the saved instances must answer to be served for this name (<see cref="DiscoverySnapshotFile.QueryKey"/>).</summary>
    public string QueryKey => _queryKey ??= DiscoverySnapshotFile.QueryKey(_query);

    /// <summary>Saves a fresh answer with the next snapshot write (no I/O here).</summary>
    private void SaveFresh(ConsulServiceInstances snapshot)
    {
        if (_snapshots is not null && !snapshot.IsStale)
        {
            _snapshots.Record(snapshot, QueryKey);
        }
    }

    /// <summary>
    /// Called under the gate when a query failed and nothing was published yet: publishes the saved instances as stale
    /// when the failure means Consul is down and the file holds usable ones. Returns whether it did.
    /// </summary>
    private bool TryServeFromFile(Exception exception, string errorType)
    {
        if (_snapshots is null || !DiscoverySnapshotStore.Qualifies(exception) || !_snapshots.TryGet(ServiceName, QueryKey, out var saved))
        {
            return false;
        }

        // The snapshot-age gauge reports how long ago Consul confirmed these instances: when the file saved them.
        var ticks = (long)(saved.Age.TotalSeconds * _timeProvider.TimestampFrequency);
        Interlocked.Exchange(ref _confirmedAt, _timeProvider.GetTimestamp() - ticks);
        _servedFromFile = true;
        Log.ServedFromFile(_logger, ServiceName, _client.Address, errorType, saved.Instances.Length, saved.Age, _snapshots.Path, exception);
        Publish(token => ConsulServiceInstances.Create(ServiceName, saved.Instances, saved.Index, saved.SavedAt, isStale: true, token));
        return true;
    }

    /// <summary>Called under the gate when Consul answered: its answer replaces the saved instances.</summary>
    private void LeaveFile()
    {
        if (_servedFromFile)
        {
            _servedFromFile = false;
            Log.FileReplaced(_logger, ServiceName);
        }
    }
}
