// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// The ACL token kept in a file (<c>Consul:TokenFile</c> / <c>CONSUL_HTTP_TOKEN_FILE</c>), re-read when the file
/// changes so a rotated token is used from the next request on, without a restart. The file's last-write time and
/// length are looked at most once per <see cref="CheckInterval"/>; the token itself is never logged.
/// </summary>
internal sealed class ConsulTokenFile(TimeProvider timeProvider)
{
    /// <summary>How often, at most, the file's last-write time is looked at.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private volatile Snapshot? _snapshot;

    /// <summary>
    /// The file's trimmed content; the last token read when the file is momentarily missing, unreadable or empty (an
    /// agent rewriting it), or <see langword="null"/> when it never could be read.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="force">Look at the file even if it was looked at less than <see cref="CheckInterval"/> ago.</param>
    public string? Read(string path, bool force = false)
    {
        var now = timeProvider.GetUtcNow();
        var snapshot = _snapshot;
        if (!force && snapshot is not null && snapshot.Path == path && now - snapshot.CheckedAt < CheckInterval)
        {
            return snapshot.Token;
        }

        var previous = snapshot?.Path == path ? snapshot : null;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                _snapshot = new Snapshot(path, now, default, -1, previous?.Token);
                return previous?.Token;
            }

            if (previous is not null && previous.LastWrite == info.LastWriteTimeUtc && previous.Length == info.Length)
            {
                _snapshot = previous with { CheckedAt = now };
                return previous.Token;
            }

            var token = File.ReadAllText(path).Trim();
            var current = token.Length > 0 ? token : previous?.Token;
            _snapshot = new Snapshot(path, now, info.LastWriteTimeUtc, info.Length, current);
            return current;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _snapshot = new Snapshot(path, now, default, -1, previous?.Token);
            return previous?.Token;
        }
    }

    private sealed record Snapshot(string Path, DateTimeOffset CheckedAt, DateTime LastWrite, long Length, string? Token);
}
