// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md (snapshots): <c>GET /v1/snapshot</c> saves a gzip'd tar with Consul's headers and
/// <c>PUT /v1/snapshot</c> restores it, tables and indexes as they were; damaged archives get Consul's 500 texts.
/// Against a real Consul, a test that restores runs only with <c>CONSUL_TEST_SNAPSHOT_RESTORE=1</c>, because a restore
/// rolls the whole cluster back (run those tests alone); the refused restores always run.
/// </summary>
public sealed class SnapshotConformanceTests
{
    [Fact]
    public async Task Save_AnswersAGzipTarWithConsulsFilesAndHeaders()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var before = (await consul.PutAsync($"/v1/kv/{consul.Name("k")}", "v")).Status;
        Assert.Equal(200, before);
        var index = (await consul.GetAsync($"/v1/kv/{consul.Name("k")}")).Index;

        var (status, headers, archive) = await SaveAsync(consul);
        Assert.Equal(200, status);
        Assert.True(ulong.Parse(headers["X-Consul-Index"], System.Globalization.CultureInfo.InvariantCulture) >= index);
        Assert.Equal("true", headers["X-Consul-KnownLeader"]);
        Assert.Equal("0", headers["X-Consul-LastContact"]);
        Assert.Equal([0x1f, 0x8b], archive[..2]);
        Assert.Equal(["meta.json", "state.bin", "SHA256SUMS"], Files(archive).Select(f => f.Name));

        var stale = await SaveAsync(consul, "?stale");
        Assert.Equal(200, stale.Status);
    }

    [Fact]
    public async Task Restore_PutsTablesAndIndexesBackAsTheyWere()
    {
        await using var consul = await ConsulTarget.StartAsync();
        RequireRestoreAllowed();
        var a = consul.Name("a");
        var b = consul.Name("b");
        var locked = consul.Name("locked");
        Assert.Equal(200, (await consul.PutAsync($"/v1/kv/{a}?flags=42", "first")).Status);
        Assert.Equal(200, (await consul.PutAsync($"/v1/kv/{b}", "second")).Status);
        // A lock-delay one nanosecond past a second: the archive keeps durations to the nanosecond.
        var session = await consul.CreateSessionAsync($$"""{"Name":"{{consul.Name("s")}}","TTL":"60s","LockDelay":"1.000000001s"}""");
        Assert.Equal("true", (await consul.PutAsync($"/v1/kv/{locked}?acquire={session}", "held")).Text.Trim());
        var query = await consul.SendAsync(HttpMethod.Post, "/v1/query", $$$"""{"Name":"{{{consul.Name("q")}}}","Service":{"Service":"{{{consul.Name("svc")}}}"}}""");
        Assert.Equal(200, query.Status);
        var queryId = query.Json["ID"]!.GetValue<string>();
        var entryName = consul.Name("defaults");
        Assert.Equal(200, (await consul.PutAsync("/v1/config", $$"""{"Kind":"service-defaults","Name":"{{entryName}}","Protocol":"http"}""")).Status);
        var destination = consul.Name("dest");
        Assert.Equal(200, (await consul.PutAsync("/v1/config", $$"""{"Kind":"service-intentions","Name":"{{destination}}","Sources":[{"Name":"{{consul.Name("src")}}","Action":"deny"}]}""")).Status);

        var reads = (string[])[
            $"/v1/kv/{consul.Prefix}?recurse", $"/v1/session/info/{session}", $"/v1/query/{queryId}", $"/v1/config/service-defaults/{entryName}",
            $"/v1/config/service-intentions/{destination}",
        ];
        var expected = new List<(string Text, ulong Index)>();
        foreach (var path in reads)
        {
            var reply = await consul.GetAsync(path);
            Assert.Equal(200, reply.Status);
            expected.Add((reply.Text, reply.Index));
        }

        var (_, saved, archive) = await SaveAsync(consul);
        var savedIndex = ulong.Parse(saved["X-Consul-Index"], System.Globalization.CultureInfo.InvariantCulture);

        // Change everything the snapshot holds.
        Assert.Equal(200, (await consul.DeleteAsync($"/v1/kv/{a}")).Status);
        Assert.Equal(200, (await consul.PutAsync($"/v1/kv/{b}", "changed")).Status);
        Assert.Equal(200, (await consul.PutAsync($"/v1/kv/{consul.Name("later")}", "new")).Status);
        Assert.Equal(200, (await consul.PutAsync($"/v1/session/destroy/{session}")).Status);
        Assert.Equal(200, (await consul.DeleteAsync($"/v1/query/{queryId}")).Status);
        Assert.Equal(200, (await consul.DeleteAsync($"/v1/config/service-defaults/{entryName}")).Status);
        Assert.Equal(200, (await consul.DeleteAsync($"/v1/config/service-intentions/{destination}")).Status);
        var changedIndex = (await consul.GetAsync($"/v1/kv/{consul.Prefix}?recurse")).Index;

        var restore = await RestoreAsync(consul, archive);
        Assert.Equal((200, string.Empty), (restore.Status, restore.Text));

        for (var i = 0; i < reads.Length; i++)
        {
            var reply = await consul.GetAsync(reads[i]);
            Assert.Equal(200, reply.Status);
            Assert.Equal(expected[i].Text, reply.Text);
            Assert.Equal(expected[i].Index, reply.Index);
        }

        Assert.Equal(404, (await consul.GetAsync($"/v1/kv/{consul.Name("later")}")).Status);

        // New writes still move the index forward, past both the archive's and the pre-restore index.
        Assert.Equal(200, (await consul.PutAsync($"/v1/kv/{consul.Name("after")}", "x")).Status);
        var after = (await consul.GetAsync($"/v1/kv/{consul.Name("after")}")).Json[0]!["ModifyIndex"]!.GetValue<ulong>();
        Assert.True(after > Math.Max(savedIndex, changedIndex), $"write after restore at {after}, saved {savedIndex}, changed {changedIndex}");
    }

    [Fact]
    public async Task Restore_RefusesWhatConsulRefuses()
    {
        await using var consul = await ConsulTarget.StartAsync();
        Assert.Equal((500, "failed to decompress snapshot: gzip: invalid header"), Pair(await RestoreAsync(consul, Encoding.ASCII.GetBytes("not a snapshot archive"))));
        Assert.Equal((500, "failed to decompress snapshot: EOF"), Pair(await RestoreAsync(consul, [])));
        Assert.Equal((500, "stale not allowed for restore"), Pair(await RestoreAsync(consul, [1, 2, 3], "?stale")));

        var (_, _, archive) = await SaveAsync(consul);
        var tampered = Rebuild(archive, files => files.Select(f => f.Name == "state.bin" ? (f.Name, [.. f.Content, (byte)' ']) : f));
        Assert.Equal((500, "failed to read snapshot file: failed checking integrity of snapshot: hash check failed for \"state.bin\""), Pair(await RestoreAsync(consul, tampered)));
        var extra = Rebuild(archive, files => files.Append(("extra.txt", [1])));
        Assert.Equal((500, "failed to read snapshot file: unexpected file \"extra.txt\" in snapshot"), Pair(await RestoreAsync(consul, extra)));
        var noSums = Rebuild(archive, files => files.Where(f => f.Name != "SHA256SUMS"));
        Assert.Equal(500, (await RestoreAsync(consul, noSums)).Status);
        Assert.StartsWith("failed to read snapshot file: failed checking integrity of snapshot: file missing for ", (await RestoreAsync(consul, noSums)).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAndRestore_NeedAclWrite()
    {
        const string accessor = "6c1d5b7e-2a3f-4e8d-9b0c-1f2e3d4c5b6a";
        var options = new ConsulTestAgentOptions();
        options.Acl.Enabled = true;
        options.Acl.ManagementToken = "root";
        options.Acl.Tokens.Add(new ConsulTestAclToken { SecretId = "reader", AccessorId = accessor, PolicyRules = "acl = \"read\"\noperator = \"write\"" });
        await using var consul = await ConsulTarget.StartAgentAsync(options, "configures ACLs");

        var denied = $"Permission denied: token with AccessorID '{accessor}' lacks permission 'acl:write'";
        var save = await consul.GetAsync("/v1/snapshot", token: "reader");
        Assert.Equal((403, denied), (save.Status, save.Text));
        var restore = await consul.PutAsync("/v1/snapshot", "x", token: "reader");
        Assert.Equal((403, denied), (restore.Status, restore.Text));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/snapshot");
        request.Headers.Add("X-Consul-Token", "root");
        using var response = await consul.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Restore_PutsAclObjectsBack_AndTheirSecretsWorkAgain()
    {
        var options = new ConsulTestAgentOptions();
        options.Acl.Enabled = true;
        options.Acl.ManagementToken = "root";
        await using var consul = await ConsulTarget.StartAgentAsync(options, "configures ACLs");
        var prefix = consul.Name("app");
        var policy = await consul.PutAsync("/v1/acl/policy", $$"""{"Name":"{{prefix}}-writer","Rules":"key_prefix \"{{prefix}}/\" { policy = \"write\" }"}""", token: "root");
        Assert.Equal(200, policy.Status);
        var policyId = policy.Json["ID"]!.GetValue<string>();
        var token = await consul.PutAsync("/v1/acl/token", $$"""{"Description":"app","Policies":[{"ID":"{{policyId}}"}],"ServiceIdentities":[{"ServiceName":"{{prefix}}-svc"}]}""", token: "root");
        Assert.Equal(200, token.Status);
        var accessor = token.Json["AccessorID"]!.GetValue<string>();
        var secret = token.Json["SecretID"]!.GetValue<string>();
        var tokenBefore = await consul.GetAsync($"/v1/acl/token/{accessor}", token: "root");
        var policiesBefore = await consul.GetAsync("/v1/acl/policies", token: "root");

        using var save = new HttpRequestMessage(HttpMethod.Get, "/v1/snapshot");
        save.Headers.Add("X-Consul-Token", "root");
        using var saved = await consul.Http.SendAsync(save, TestContext.Current.CancellationToken);
        var archive = await saved.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);

        Assert.Equal(200, (await consul.DeleteAsync($"/v1/acl/token/{accessor}", token: "root")).Status);
        Assert.Equal(200, (await consul.DeleteAsync($"/v1/acl/policy/{policyId}", token: "root")).Status);
        var later = (await consul.PutAsync("/v1/acl/token", """{"Description":"later"}""", token: "root")).Json["SecretID"]!.GetValue<string>();
        Assert.Equal(403, (await consul.PutAsync($"/v1/kv/{prefix}/k", "v", token: secret)).Status);

        using var restore = new HttpRequestMessage(HttpMethod.Put, "/v1/snapshot") { Content = new ByteArrayContent(archive) };
        restore.Headers.Add("X-Consul-Token", "root");
        using var restored = await consul.Http.SendAsync(restore, TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)restored.StatusCode);

        var tokenAfter = await consul.GetAsync($"/v1/acl/token/{accessor}", token: "root");
        Assert.Equal((tokenBefore.Text, tokenBefore.Index), (tokenAfter.Text, tokenAfter.Index));
        var policiesAfter = await consul.GetAsync("/v1/acl/policies", token: "root");
        Assert.Equal((policiesBefore.Text, policiesBefore.Index), (policiesAfter.Text, policiesAfter.Index));
        Assert.Equal(200, (await consul.PutAsync($"/v1/kv/{prefix}/k", "v", token: secret)).Status);
        var gone = await consul.GetAsync("/v1/kv/x", token: later);
        Assert.Equal((403, "ACL not found"), (gone.Status, gone.Text));
    }

    internal static void RequireRestoreAllowed()
    {
        if (ConsulTarget.IsReal && Environment.GetEnvironmentVariable("CONSUL_TEST_SNAPSHOT_RESTORE") != "1")
        {
            Assert.Skip("restoring rolls a real Consul back; set CONSUL_TEST_SNAPSHOT_RESTORE=1 and run this test alone");
        }
    }

    private static (int Status, string Text) Pair(Reply reply) => (reply.Status, reply.Text);

    internal static async Task<(int Status, Dictionary<string, string> Headers, byte[] Archive)> SaveAsync(ConsulTarget consul, string query = "")
    {
        using var response = await consul.Http.GetAsync("/v1/snapshot" + query, TestContext.Current.CancellationToken);
        var headers = response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return ((int)response.StatusCode, headers, await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    internal static async Task<Reply> RestoreAsync(ConsulTarget consul, byte[] archive, string query = "")
    {
        using var content = new ByteArrayContent(archive);
        using var response = await consul.Http.PutAsync("/v1/snapshot" + query, content, TestContext.Current.CancellationToken);
        return new Reply((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), response.Headers, response.Content.Headers);
    }

    private static List<(string Name, byte[] Content)> Files(byte[] archive)
    {
        var files = new List<(string, byte[])>();
        using var gzip = new GZipStream(new MemoryStream(archive), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry(copyData: true) is { } entry)
        {
            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            files.Add((entry.Name, content.ToArray()));
        }

        return files;
    }

    private static byte[] Rebuild(byte[] archive, Func<IEnumerable<(string Name, byte[] Content)>, IEnumerable<(string Name, byte[] Content)>> edit)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in edit(Files(archive)))
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            }
        }

        return output.ToArray();
    }
}
