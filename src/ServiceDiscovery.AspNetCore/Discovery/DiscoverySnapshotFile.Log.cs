// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class DiscoverySnapshotFile
{
    private static partial class Log
    {
        [LoggerMessage(3030, LogLevel.Warning, "The discovery snapshot file '{SnapshotPath}' cannot be read; it is ignored (and replaced by the next good answers).", EventName = "DiscoverySnapshotUnreadable")]
        public static partial void Unreadable(ILogger logger, string snapshotPath, Exception exception);

        [LoggerMessage(3031, LogLevel.Warning, "The discovery snapshot file '{SnapshotPath}' has format version {FoundVersion}, this library writes {ExpectedVersion}; it is ignored (and replaced by the next good answers).", EventName = "DiscoverySnapshotForeignVersion")]
        public static partial void ForeignVersion(ILogger logger, string snapshotPath, int foundVersion, int expectedVersion);

        [LoggerMessage(3032, LogLevel.Warning, "The saved instances of Consul service '{ServiceName}' in the discovery snapshot file '{SnapshotPath}' are invalid; they are not served.", EventName = "DiscoverySnapshotEntryInvalid")]
        public static partial void EntryInvalid(ILogger logger, string serviceName, string snapshotPath, Exception exception);
    }
}
