// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// Reads and writes the opt-in snapshot file. Writes are atomic (<see cref="AtomicFile"/>: a temporary file in the same folder, then a
/// rename over the old one), so a crash mid-write leaves the previous snapshot whole. Failures are logged, never thrown: a
/// snapshot is a fallback and must not take the app down.
/// </summary>
internal sealed partial class KeyValueSnapshotFile(string path, ILogger logger)
{
    private readonly Lock _writing = new();

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>The snapshot, or <see langword="null"/> when there is none or it cannot be read (logged).</summary>
    public KeyValueSnapshot? Read()
    {
        try
        {
            using var stream = File.OpenRead(Path);
            return JsonSerializer.Deserialize(stream, KeyValueSnapshotJsonContext.Default.KeyValueSnapshot);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            Log.Unreadable(logger, Path, ex);
            return null;
        }
    }

    public void Write(KeyValueSnapshot snapshot)
    {
        lock (_writing)
        {
            try
            {
                AtomicFile.WriteJson(Path, snapshot, KeyValueSnapshotJsonContext.Default.KeyValueSnapshot);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Log.NotWritten(logger, Path, ex);
            }
        }
    }
}
