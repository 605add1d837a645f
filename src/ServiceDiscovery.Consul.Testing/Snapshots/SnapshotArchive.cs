// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>
/// The container of a snapshot, shaped as Consul's (snapshot/archive.go): a gzip'd tar holding <c>meta.json</c> (the
/// snapshot's metadata as raft writes it), <c>state.bin</c> (here <see cref="SnapshotStateJson"/>, not raft's binary
/// state) and <c>SHA256SUMS</c> (<c>&lt;hex&gt;  &lt;name&gt;</c> per file). Reading checks it as Consul does and fails
/// with Consul's texts: not gzip, an unexpected file, a metadata that does not decode, a sum that is missing, wrong or
/// names an unknown file.
/// </summary>
internal static class SnapshotArchive
{
    private const string MetaFile = "meta.json";
    private const string StateFile = "state.bin";
    private const string SumsFile = "SHA256SUMS";

    /// <summary>Builds the archive of <paramref name="state"/> taken at <paramref name="meta"/>'s index.</summary>
    public static byte[] Write(SnapshotMeta meta, byte[] state, DateTimeOffset now)
    {
        var metaJson = (meta with { Size = state.Length }).ToJson();
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            AddFile(tar, MetaFile, metaJson, now);
            AddFile(tar, StateFile, state, now);
            var sums = $"{Convert.ToHexStringLower(SHA256.HashData(metaJson))}  {MetaFile}\n{Convert.ToHexStringLower(SHA256.HashData(state))}  {StateFile}\n";
            AddFile(tar, SumsFile, Encoding.ASCII.GetBytes(sums), now);
        }

        return output.ToArray();
    }

    /// <summary>Takes an archive apart and checks its integrity.</summary>
    /// <exception cref="SnapshotArchiveException">The archive is damaged; the message is Consul's text for it.</exception>
    public static (SnapshotMeta Meta, byte[] State) Read(byte[] archive)
    {
        if (archive.Length == 0)
        {
            throw new SnapshotArchiveException("failed to decompress snapshot: EOF");
        }

        if (archive.Length < 10)
        {
            throw new SnapshotArchiveException("failed to decompress snapshot: unexpected EOF");
        }

        if (archive[0] != 0x1f || archive[1] != 0x8b || archive[2] != 8)
        {
            throw new SnapshotArchiveException("failed to decompress snapshot: gzip: invalid header");
        }

        byte[] tarBytes;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(archive), CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            gzip.CopyTo(buffer);
            tarBytes = buffer.ToArray();
        }
        catch (InvalidDataException)
        {
            throw new SnapshotArchiveException("failed to read snapshot file: failed reading snapshot: flate: corrupt input");
        }

        try
        {
            return ReadTar(tarBytes);
        }
        catch (SnapshotArchiveException ex)
        {
            throw new SnapshotArchiveException("failed to read snapshot file: " + ex.Message);
        }
    }

    private static (SnapshotMeta Meta, byte[] State) ReadTar(byte[] tarBytes)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        try
        {
            using var tar = new TarReader(new MemoryStream(tarBytes));
            while (tar.GetNextEntry(copyData: true) is { } entry)
            {
                if (entry.Name is not (MetaFile or StateFile or SumsFile))
                {
                    throw new SnapshotArchiveException($"unexpected file \"{entry.Name}\" in snapshot");
                }

                using var content = new MemoryStream();
                entry.DataStream?.CopyTo(content);
                files[entry.Name] = content.ToArray();
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new SnapshotArchiveException("failed reading snapshot: archive/tar: invalid tar header");
        }

        SnapshotMeta? meta = null;
        if (files.TryGetValue(MetaFile, out var metaJson))
        {
            try
            {
                meta = SnapshotMeta.Parse(metaJson);
            }
            catch (JsonException ex)
            {
                throw new SnapshotArchiveException($"failed to decode snapshot metadata: {ex.Message}");
            }
        }

        Verify(files);
        return (meta ?? new SnapshotMeta(), files.GetValueOrDefault(StateFile) ?? []);
    }

    /// <summary>hashList.DecodeAndVerify: each listed file must be one of the two and match; both must be listed.</summary>
    private static void Verify(Dictionary<string, byte[]> files)
    {
        const string prefix = "failed checking integrity of snapshot: ";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sums = Encoding.ASCII.GetString(files.GetValueOrDefault(SumsFile) ?? []);
        foreach (var line in sums.Split('\n').Where(l => l.Length > 0))
        {
            var parts = line.Split("  ", 2);
            if (parts.Length != 2 || parts[0].Length != 64 || !parts[0].All(Uri.IsHexDigit))
            {
                throw new SnapshotArchiveException(prefix + "input does not match format");
            }

            var file = parts[1].TrimEnd('\r');
            if (file is not (MetaFile or StateFile))
            {
                throw new SnapshotArchiveException($"{prefix}list missing hash for \"{file}\"");
            }

            var actual = Convert.ToHexStringLower(SHA256.HashData(files.GetValueOrDefault(file) ?? []));
            if (!string.Equals(actual, parts[0], StringComparison.OrdinalIgnoreCase))
            {
                throw new SnapshotArchiveException($"{prefix}hash check failed for \"{file}\"");
            }

            seen.Add(file);
        }

        foreach (var file in (string[])[MetaFile, StateFile])
        {
            if (!seen.Contains(file))
            {
                throw new SnapshotArchiveException($"{prefix}file missing for \"{file}\"");
            }
        }
    }

    private static void AddFile(TarWriter tar, string name, byte[] content, DateTimeOffset now)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            ModificationTime = now,
            DataStream = new MemoryStream(content),
        };
        tar.WriteEntry(entry);
    }
}
