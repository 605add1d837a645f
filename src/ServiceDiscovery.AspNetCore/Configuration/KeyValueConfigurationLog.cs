// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>The KV configuration source's logs and its malformed-document counter. Never logs a token or a value.</summary>
internal sealed partial class KeyValueConfigurationLog(ILogger logger, Counter<long> malformedDocuments)
{
    public void MalformedDocument(string key, long? line, long? position, string kept)
    {
        malformedDocuments.Add(1);
        LogMalformedDocument(logger, key, line, position, kept);
    }

    public void NotUtf8(string key) => LogNotUtf8(logger, key);

    public void Unavailable(string prefix, Uri address, int attempt, TimeSpan retryIn, Exception exception)
        => LogUnavailable(logger, prefix, address, attempt, retryIn, exception);

    public void Denied(string message) => LogDenied(logger, message);

    public void StartedWithout(string message, Exception exception) => LogStartedWithout(logger, message, exception);

    public void Loaded(string prefix, int count) => LogLoaded(logger, prefix, count);

    public void SnapshotUnreadable(string path, Exception exception) => LogSnapshotUnreadable(logger, path, exception);

    public void SnapshotNotWritten(string path, Exception exception) => LogSnapshotNotWritten(logger, path, exception);

    public void StartedFromSnapshot(string message, string path, TimeSpan age, Exception exception) => LogStartedFromSnapshot(logger, message, path, age, exception);

    [LoggerMessage(7, LogLevel.Warning, "The Consul KV snapshot file '{Path}' could not be read; starting without it.")]
    private static partial void LogSnapshotUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "The Consul KV snapshot file '{Path}' could not be written; the previous one (if any) is kept.")]
    private static partial void LogSnapshotNotWritten(ILogger logger, string path, Exception exception);

    [LoggerMessage(9, LogLevel.Warning, "{Message} Starting from the snapshot '{Path}' saved {Age} ago; live values replace it when Consul answers.")]
    private static partial void LogStartedFromSnapshot(ILogger logger, string message, string path, TimeSpan age, Exception exception);

    [LoggerMessage(1, LogLevel.Error, "Consul KV key '{Key}' is not a valid JSON document (line {Line}, byte {Position}); kept: {Kept}.")]
    private static partial void LogMalformedDocument(ILogger logger, string key, long? line, long? position, string kept);

    [LoggerMessage(2, LogLevel.Warning, "Consul KV key '{Key}' is skipped: its value is not valid UTF-8.")]
    private static partial void LogNotUtf8(ILogger logger, string key);

    [LoggerMessage(3, LogLevel.Warning, "Reading Consul KV prefix '{Prefix}' from {Address} failed (attempt {Attempt}); retrying in {RetryIn}.")]
    private static partial void LogUnavailable(ILogger logger, string prefix, Uri address, int attempt, TimeSpan retryIn, Exception exception);

    [LoggerMessage(4, LogLevel.Error, "{Message}")]
    private static partial void LogDenied(ILogger logger, string message);

    [LoggerMessage(5, LogLevel.Warning, "{Message} Starting without these values (Optional); they load when Consul answers.")]
    private static partial void LogStartedWithout(ILogger logger, string message, Exception exception);

    [LoggerMessage(6, LogLevel.Debug, "Consul KV prefix '{Prefix}' now gives {Count} configuration entries.")]
    private static partial void LogLoaded(ILogger logger, string prefix, int count);
}
