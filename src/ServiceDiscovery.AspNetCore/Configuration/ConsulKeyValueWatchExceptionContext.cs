// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// What <see cref="ConsulKeyValueConfigurationOptions.OnWatchException"/> receives when a prefix's blocking query
/// failed while the app runs; the watch keeps the last values and retries after <see cref="RetryDelay"/>. See
/// docs/configuration.md.
/// </summary>
public sealed class ConsulKeyValueWatchExceptionContext
{
    /// <summary>The shortest retry delay the watch takes, whatever the hook sets: a dead agent must not be polled in a tight loop.</summary>
    internal static readonly TimeSpan MinRetryDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest retry delay the watch takes.</summary>
    internal static readonly TimeSpan MaxRetryDelay = TimeSpan.FromHours(1);

    private TimeSpan _retryDelay;

    internal ConsulKeyValueWatchExceptionContext(string prefix, Exception exception, int consecutiveFailures, TimeSpan retryDelay)
    {
        Prefix = prefix;
        Exception = exception;
        ConsecutiveFailures = consecutiveFailures;
        _retryDelay = retryDelay;
    }

    /// <summary>Gets the KV prefix whose watch failed.</summary>
    public string Prefix { get; }

    /// <summary>Gets why the query failed; a <c>ConsulException</c> for anything Consul or the connection did. It never holds the token.</summary>
    public Exception Exception { get; }

    /// <summary>Gets how many queries of this watch have failed in a row, this one included (1 for the first failure).</summary>
    public int ConsecutiveFailures { get; }

    /// <summary>
    /// Gets or sets how long the watch waits before it queries again. It starts as the built-in jittered backoff (1 s
    /// doubling to 60 s); a value set here is kept between 10 ms and 1 hour.
    /// </summary>
    public TimeSpan RetryDelay
    {
        get => _retryDelay;
        set => _retryDelay = value < MinRetryDelay ? MinRetryDelay : value > MaxRetryDelay ? MaxRetryDelay : value;
    }
}
