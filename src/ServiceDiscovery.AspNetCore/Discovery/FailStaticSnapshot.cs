// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// One watched name's part of the fail-static snapshot (<c>Consul:Discovery:SnapshotPath</c>): its fresh answers are
/// saved to the <see cref="DiscoverySnapshotStore"/>, and when its first query fails because Consul is unreachable, the
/// instances saved for the same query settings stand in, stale, until Consul answers.
/// </summary>
internal sealed partial class FailStaticSnapshot
{
    private readonly string _serviceName;
    private readonly DiscoverySnapshotStore _store;
    private readonly ILogger _logger;
    private volatile bool _standingIn;

    public FailStaticSnapshot(DiscoveryQuery query, DiscoverySnapshotStore store, ILogger logger)
    {
        _serviceName = query.ServiceName;
        _store = store;
        _logger = logger;
        QueryKey = DiscoverySnapshotFile.QueryKey(query);
    }

    /// <summary>What saved instances must answer to stand in for this name (<see cref="DiscoverySnapshotFile.QueryKey"/>).</summary>
    public string QueryKey { get; }

    /// <summary>Whether the name's served instances come from the file (no answer from Consul yet).</summary>
    public bool IsStandingIn => _standingIn;

    /// <summary>Saves a fresh answer with the store's next write (no I/O here); stale ones are not Consul's word.</summary>
    public void Save(ConsulServiceInstances snapshot)
    {
        if (!snapshot.IsStale)
        {
            _store.Record(snapshot, QueryKey);
        }
    }

    /// <summary>
    /// The saved instances to serve after <paramref name="exception"/> failed the name's query while nothing was served
    /// yet: only when the failure means Consul is down (<see cref="DiscoverySnapshotStore.Qualifies"/>) and the file
    /// holds usable instances saved under the same settings.
    /// </summary>
    public bool TryStandIn(Exception exception, string errorType, Uri consulAddress, out DiscoverySnapshotStore.SavedInstances saved)
    {
        saved = default;
        if (!DiscoverySnapshotStore.Qualifies(exception) || !_store.TryGet(_serviceName, QueryKey, out saved))
        {
            return false;
        }

        _standingIn = true;
        Log.ServedFromFile(_logger, _serviceName, consulAddress, errorType, saved.Instances.Length, saved.Age, _store.Path, exception);
        return true;
    }

    /// <summary>Consul answered: whatever it said replaces the saved instances.</summary>
    public void OnConsulAnswered()
    {
        if (_standingIn)
        {
            _standingIn = false;
            Log.FileReplaced(_logger, _serviceName);
        }
    }

    // Discovery owns event ids 3000-3099; the snapshot file uses 3030-3039.
    private static partial class Log
    {
        [LoggerMessage(3036, LogLevel.Warning, "Fetching Consul service '{ServiceName}' from {ConsulAddress} failed ({ErrorType}) before any answer: serving its {InstanceCount} instance(s) saved {Age} ago in the discovery snapshot file '{SnapshotPath}', as stale, until Consul answers; retrying in the background.", EventName = "DiscoveryServedFromSnapshotFile")]
        public static partial void ServedFromFile(ILogger logger, string serviceName, Uri consulAddress, string errorType, int instanceCount, TimeSpan age, string snapshotPath, Exception exception);

        [LoggerMessage(3037, LogLevel.Information, "Consul answered for service '{ServiceName}': its instances from the discovery snapshot file are replaced.", EventName = "DiscoverySnapshotFileReplaced")]
        public static partial void FileReplaced(ILogger logger, string serviceName);
    }
}
