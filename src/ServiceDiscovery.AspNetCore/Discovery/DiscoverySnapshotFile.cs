// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Reads and writes the fail-static snapshot file (<c>Consul:Discovery:SnapshotPath</c>) and converts between its
/// entries and <see cref="ConsulServiceInstance"/>s. Writes are atomic (<see cref="AtomicFile"/>). Nothing here
/// throws for a missing, unreadable, corrupt or foreign file: it is logged and treated as no snapshot.
/// </summary>
internal sealed partial class DiscoverySnapshotFile(string path, ILogger logger)
{
    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>
    /// A stable description of what <paramref name="query"/> asks for: instances saved for another query (the settings
    /// changed between runs) are not served.
    /// </summary>
    public static string QueryKey(DiscoveryQuery query)
    {
        var key = new StringBuilder();
        key.Append(query.PassingOnly ? "passing" : "warning")
            .Append(";tags=").AppendJoin(',', query.Tags)
            .Append(";filter=").Append(query.Filter)
            .Append(";dc=").Append(query.Datacenter)
            .Append(";address=").Append(query.TaggedAddress)
            .Append(";panic=").Append(query.IncludeFailing ? '1' : '0');
        return key.ToString();
    }

    /// <summary>The saved services, or <see langword="null"/> when there is no file or it cannot be used (logged).</summary>
    public DiscoverySnapshotDocument? Read()
    {
        DiscoverySnapshotDocument? document;
        try
        {
            using var stream = File.OpenRead(Path);
            document = JsonSerializer.Deserialize(stream, DiscoverySnapshotJsonContext.Default.DiscoverySnapshotDocument);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or NotSupportedException)
        {
            Log.Unreadable(logger, Path, ex);
            return null;
        }

        if (document is null || document.Version != DiscoverySnapshotDocument.CurrentVersion)
        {
            Log.ForeignVersion(logger, Path, document?.Version ?? 0, DiscoverySnapshotDocument.CurrentVersion);
            return null;
        }

        return document;
    }

    /// <summary>Writes <paramref name="document"/>; returns the failure instead of throwing it.</summary>
    public Exception? Write(DiscoverySnapshotDocument document)
    {
        try
        {
            AtomicFile.WriteJson(Path, document, DiscoverySnapshotJsonContext.Default.DiscoverySnapshotDocument);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex;
        }
    }

    public static DiscoverySnapshotEntry ToEntry(ConsulServiceInstances instances, string query, DateTimeOffset savedAt)
    {
        var entry = new DiscoverySnapshotEntry { SavedAt = savedAt, Index = instances.Index, Query = query };
        foreach (var instance in instances)
        {
            entry.Instances.Add(new DiscoverySnapshotInstance
            {
                Id = instance.Id,
                Address = instance.Address,
                Port = instance.Port,
                Scheme = instance.Scheme == Uri.UriSchemeHttp ? null : instance.Scheme,
                Tags = instance.Tags.Count == 0 ? null : [.. instance.Tags],
                Meta = instance.Meta.Count == 0 ? null : new Dictionary<string, string>(instance.Meta, StringComparer.Ordinal),
                HealthStatus = instance.CheckStatus,
                PassingWeight = instance.PassingWeight,
                WarningWeight = instance.WarningWeight,
                Datacenter = instance.Datacenter.Length == 0 ? null : instance.Datacenter,
                Node = instance.Node.Length == 0 ? null : instance.Node,
                ConnectNative = instance.IsConnectNative,
            });
        }

        return entry;
    }

    /// <summary>
    /// The instances of <paramref name="entry"/>, ordered as the cache orders them (id, then node); <see langword="null"/>
    /// (logged) when one of them is invalid: a hand-edited or damaged entry is not served at all rather than in part.
    /// </summary>
    public ConsulServiceInstance[]? ToInstances(string serviceName, DiscoverySnapshotEntry entry)
    {
        try
        {
            var instances = new ConsulServiceInstance[entry.Instances.Count];
            for (var i = 0; i < instances.Length; i++)
            {
                var saved = entry.Instances[i] ?? throw new ArgumentException("An instance is null.");
                instances[i] = new ConsulServiceInstance(
                    saved.Id, serviceName, saved.Address, saved.Port, saved.Scheme, saved.Tags?.ToArray(), saved.Meta,
                    saved.HealthStatus, saved.PassingWeight, saved.WarningWeight, saved.Datacenter, saved.Node)
                {
                    IsConnectNative = saved.ConnectNative,
                };
            }

            Array.Sort(instances, static (a, b) =>
            {
                var byId = string.CompareOrdinal(a.Id, b.Id);
                return byId != 0 ? byId : string.CompareOrdinal(a.Node, b.Node);
            });
            return instances;
        }
        catch (ArgumentException ex)
        {
            Log.EntryInvalid(logger, serviceName, Path, ex);
            return null;
        }
    }

    /// <summary>Start-up validation of the settings; each failure names the key, the value and the fix.</summary>
    public static void Validate(string section, string? path, TimeSpan maxAge, List<string> failures)
    {
        if (maxAge <= TimeSpan.Zero || maxAge > MaxAgeLimit)
        {
            failures.Add($"{section}:SnapshotMaxAge must be greater than zero and at most {DurationLimits.Format(MaxAgeLimit)}; got '{DurationLimits.Format(maxAge)}'. Remove it to use the default of 1.00:00:00.");
        }

        if (path is null)
        {
            return;
        }

        string full;
        try
        {
            full = System.IO.Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            failures.Add($"{section}:SnapshotPath '{path}' is not a valid file path ({ex.Message}). Set it to a file in a writable folder, e.g. 'consul-discovery.json', or remove it to keep no snapshot.");
            return;
        }

        if (path.Length == 0 || Directory.Exists(full) || full.EndsWith(System.IO.Path.DirectorySeparatorChar) || full.EndsWith(System.IO.Path.AltDirectorySeparatorChar))
        {
            failures.Add($"{section}:SnapshotPath '{path}' names a folder, not a file. Set it to a file in a writable folder, e.g. 'consul-discovery.json', or remove it to keep no snapshot.");
            return;
        }

        var folder = System.IO.Path.GetDirectoryName(full)!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            failures.Add($"{section}:SnapshotPath '{path}': its folder '{folder}' does not exist and cannot be created ({ex.Message}). Create the folder, give the app write access to it, or remove the setting to keep no snapshot.");
        }
    }

    /// <summary>The longest <c>SnapshotMaxAge</c> accepted: older instances are far more likely wrong than right.</summary>
    internal static readonly TimeSpan MaxAgeLimit = TimeSpan.FromDays(30);
}
