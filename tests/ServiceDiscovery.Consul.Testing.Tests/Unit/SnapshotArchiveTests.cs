// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ServiceDiscovery.Consul.Testing.Snapshots;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

/// <summary>The snapshot container's integrity checks (Consul's snapshot/archive.go texts) and the state document's format check.</summary>
public sealed class SnapshotArchiveTests
{
    private static readonly byte[] State = Encoding.UTF8.GetBytes("""{"Format":"x"}""");

    [Fact]
    public void WriteThenRead_GivesTheStateAndMetadataBack()
    {
        var archive = SnapshotArchive.Write(new SnapshotMeta { Id = "2-40-1", Index = 40, Term = 2, ServerId = "id", ServerAddress = "127.0.0.1:8300" }, State, DateTimeOffset.UnixEpoch);
        var (meta, state) = SnapshotArchive.Read(archive);
        Assert.Equal(State, state);
        Assert.Equal(("2-40-1", 40UL, 2UL, (long)State.Length), (meta.Id, meta.Index, meta.Term, meta.Size));
    }

    [Theory]
    [InlineData("list missing hash for \"other.bin\"")]
    [InlineData("input does not match format")]
    [InlineData("file missing for \"state.bin\"")]
    public void Read_ChecksTheSums(string expected)
    {
        var good = SnapshotArchive.Write(new SnapshotMeta(), State, DateTimeOffset.UnixEpoch);
        var files = Files(good);
        var sums = Encoding.ASCII.GetString(files["SHA256SUMS"]).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        files["SHA256SUMS"] = Encoding.ASCII.GetBytes(expected switch
        {
            _ when expected.StartsWith("list", StringComparison.Ordinal) => string.Join('\n', sums) + "\n" + sums[0].Split("  ")[0] + "  other.bin\n",
            _ when expected.StartsWith("input", StringComparison.Ordinal) => "not-a-sum\n",
            _ => sums[0] + "\n",
        });

        var error = Assert.Throws<SnapshotArchiveException>(() => SnapshotArchive.Read(Pack(files)));
        Assert.Equal("failed to read snapshot file: failed checking integrity of snapshot: " + expected, error.Message);
    }

    [Fact]
    public void Read_RefusesMetadataThatDoesNotDecode()
    {
        var files = Files(SnapshotArchive.Write(new SnapshotMeta(), State, DateTimeOffset.UnixEpoch));
        files["meta.json"] = Encoding.UTF8.GetBytes("[1]");
        var error = Assert.Throws<SnapshotArchiveException>(() => SnapshotArchive.Read(Pack(files)));
        Assert.StartsWith("failed to read snapshot file: failed to decode snapshot metadata: json: cannot unmarshal array", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RefusesATruncatedGzipHeaderAndADamagedStream()
    {
        Assert.Equal("failed to decompress snapshot: unexpected EOF", Assert.Throws<SnapshotArchiveException>(() => SnapshotArchive.Read([0x1f, 0x8b, 8])).Message);
        var archive = SnapshotArchive.Write(new SnapshotMeta(), State, DateTimeOffset.UnixEpoch);
        for (var i = 12; i < archive.Length - 8; i++)
        {
            archive[i] ^= 0xff;
        }

        var error = Assert.Throws<SnapshotArchiveException>(() => SnapshotArchive.Read(archive));
        Assert.StartsWith("failed to read snapshot file: failed reading snapshot: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StateJson_RefusesAnotherFormat_AndNamesAMissingField()
    {
        Assert.Equal(
            "state.bin has format \"x\"; this agent reads \"ServiceDiscovery.Consul.Testing/2\"",
            Assert.Throws<FormatException>(() => SnapshotStateJson.Read(State)).Message);
        var missingKv = Encoding.UTF8.GetBytes($$"""{"Format":"{{SnapshotStateJson.Format}}","Index":3}""");
        Assert.Equal("state.bin field KV is missing or not an object", Assert.Throws<FormatException>(() => SnapshotStateJson.Read(missingKv)).Message);
    }

    [Fact]
    public void StateJson_RoundTripsTheStoreTables()
    {
        using var store = new StateStore(new NodeInfo("n1", Guid.NewGuid().ToString(), "127.0.0.1", "dc1", 10));
        Assert.True(store.KvPut("a", [1, 2, 3], 7, null));
        Assert.True(store.KvPut("b", [], null, null));
        byte[] written;
        lock (store.Sync)
        {
            written = SnapshotStateJson.Write(store);
        }

        var state = SnapshotStateJson.Read(written);
        Assert.Equal(store.Index, state.Tables.Index);
        Assert.Equal(store.KvTableIndex, state.Tables.KvTableIndex);
        Assert.Equal(store.KeyValues.Values.Select(e => (e.Key, Convert.ToBase64String(e.Value), e.Flags, e.CreateIndex, e.ModifyIndex)),
            state.Tables.Kv.Select(e => (e.Key, Convert.ToBase64String(e.Value), e.Flags, e.CreateIndex, e.ModifyIndex)));
    }

    private static Dictionary<string, byte[]> Files(byte[] archive)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var gzip = new GZipStream(new MemoryStream(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry(copyData: true) is { } entry)
        {
            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            files[entry.Name] = content.ToArray();
        }

        return files;
    }

    private static byte[] Pack(Dictionary<string, byte[]> files)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in files)
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }

        return output.ToArray();
    }
}
