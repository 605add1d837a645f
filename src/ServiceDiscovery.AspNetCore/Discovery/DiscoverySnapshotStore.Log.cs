// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class DiscoverySnapshotStore
{
    private static partial class Log
    {
        [LoggerMessage(3033, LogLevel.Warning, "The saved instances of Consul service '{ServiceName}' in the discovery snapshot file '{SnapshotPath}' are {Age} old, more than {SettingKey} ({MaxAge}); they are not served.", EventName = "DiscoverySnapshotTooOld")]
        public static partial void TooOld(ILogger logger, string serviceName, string snapshotPath, TimeSpan age, TimeSpan maxAge, string settingKey);

        [LoggerMessage(3034, LogLevel.Warning, "Writing the discovery snapshot file '{SnapshotPath}' failed; discovery goes on, the file keeps its previous content, and this is reported again at most every {Interval} while it fails.", EventName = "DiscoverySnapshotWriteFailed")]
        public static partial void WriteFailed(ILogger logger, string snapshotPath, TimeSpan interval, Exception exception);

        [LoggerMessage(3035, LogLevel.Information, "Writing the discovery snapshot file '{SnapshotPath}' works again.", EventName = "DiscoverySnapshotWriteRecovered")]
        public static partial void WriteRecovered(ILogger logger, string snapshotPath);
    }
}
