// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Configuration;

internal sealed partial class KeyValueSnapshotFile
{
    private static partial class Log
    {
        [LoggerMessage(6007, LogLevel.Warning, "The Consul KV snapshot file '{SnapshotPath}' could not be read; starting without it.", EventName = "ConsulKeyValueSnapshotUnreadable")]
        public static partial void Unreadable(ILogger logger, string snapshotPath, Exception exception);

        [LoggerMessage(6008, LogLevel.Warning, "The Consul KV snapshot file '{SnapshotPath}' could not be written; the previous one (if any) is kept.", EventName = "ConsulKeyValueSnapshotNotWritten")]
        public static partial void NotWritten(ILogger logger, string snapshotPath, Exception exception);
    }
}
