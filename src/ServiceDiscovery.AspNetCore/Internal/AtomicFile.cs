// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ServiceDiscovery.AspNetCore.Internal;

/// <summary>
/// Writes a JSON file atomically: into a temporary file of its own in the same folder, flushed to disk, then renamed
/// over the old one. A crash or a full disk mid-write leaves the previous file whole, and readers never see half of one.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="value"/> to <paramref name="path"/>; throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> on failure (nothing half-written remains).</summary>
    public static void WriteJson<T>(string path, T value, JsonTypeInfo<T> typeInfo)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        // A name of its own, so two writers (two processes given the same path) never write into one temporary file.
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, value, typeInfo);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the write already failed and is reported by the caller.
        }
    }
}
