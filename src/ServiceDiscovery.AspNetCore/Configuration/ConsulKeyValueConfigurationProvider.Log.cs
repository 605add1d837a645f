// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Configuration;

internal sealed partial class ConsulKeyValueConfigurationProvider
{
    // Every line names the prefix and the address; none holds the token or a value.
    private static partial class Log
    {
        [LoggerMessage(6003, LogLevel.Warning, "Reading Consul KV prefix '{Prefix}' from {Address} failed (attempt {Attempt}); retrying in {RetryIn}.", EventName = "ConsulKeyValueReadFailed")]
        public static partial void ReadFailed(ILogger logger, string prefix, Uri address, int attempt, TimeSpan retryIn, Exception exception);

        [LoggerMessage(6004, LogLevel.Error, "Consul at {Address} denied reading the KV prefix '{Prefix}' (403: {ResponseBody}); retrying in {RetryIn}. Give the token a policy with the rule: {PolicyRule}", EventName = "ConsulKeyValueReadDenied")]
        public static partial void ReadDenied(ILogger logger, Uri address, string prefix, string? responseBody, TimeSpan retryIn, string policyRule);

        [LoggerMessage(6005, LogLevel.Warning, "Could not read the Consul KV prefix '{Prefix}' from {Address}; starting without its values (Optional), they load when Consul answers. {Cause}", EventName = "ConsulKeyValueStartedWithout")]
        public static partial void StartedWithout(ILogger logger, string prefix, Uri address, string cause, Exception exception);

        [LoggerMessage(6006, LogLevel.Debug, "Consul KV prefix '{Prefix}' now gives {Count} configuration entries.", EventName = "ConsulKeyValueLoaded")]
        public static partial void Loaded(ILogger logger, string prefix, int count);

        [LoggerMessage(6009, LogLevel.Warning, "Could not read the Consul KV prefix '{Prefix}' from {Address}; starting from the snapshot '{SnapshotPath}' saved {Age} ago, live values replace it when Consul answers. {Cause}", EventName = "ConsulKeyValueStartedFromSnapshot")]
        public static partial void StartedFromSnapshot(ILogger logger, string prefix, Uri address, string snapshotPath, TimeSpan age, string cause, Exception exception);

        [LoggerMessage(6010, LogLevel.Error, "Consul at {Address} hid keys under the KV prefix '{Prefix}' from the token (X-Consul-Results-Filtered-By-ACLs); their values are missing. {Fix}", EventName = "ConsulKeyValueKeysHidden")]
        public static partial void KeysHidden(ILogger logger, Uri address, string prefix, string fix);

        [LoggerMessage(6012, LogLevel.Error, "A configuration change callback threw after Consul KV prefix '{Prefix}' changed (often the options binder refusing a value; the exception names the key). The configuration holds Consul's values and the watch goes on: correct the value in Consul and the next change applies.", EventName = "ConsulKeyValueReloadCallbackFailed")]
        public static partial void ReloadCallbackFailed(ILogger logger, string prefix, Exception exception);

        [LoggerMessage(6013, LogLevel.Warning, "The OnWatchException hook threw for the Consul KV prefix '{Prefix}'; the watch retries after its built-in delay.", EventName = "ConsulKeyValueWatchHookFailed")]
        public static partial void WatchHookFailed(ILogger logger, string prefix, Exception exception);
    }
}
