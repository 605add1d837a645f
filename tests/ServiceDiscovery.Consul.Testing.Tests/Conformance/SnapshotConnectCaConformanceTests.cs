// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography.X509Certificates;
using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

using static ServiceDiscovery.Consul.Testing.Tests.Conformance.SnapshotConformanceTests;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// docs/consul-http-api.md (snapshots): the Connect CA is in the archive (its configuration, every listed root and
/// the active root's key), so a restore on a fresh agent answers the same roots, trusts the leaves issued before the
/// snapshot, and signs new leaves with the restored root. Against a real Consul the "fresh" agent is the same one,
/// and a restore needs <c>CONSUL_TEST_SNAPSHOT_RESTORE=1</c>.
/// </summary>
public sealed class SnapshotConnectCaConformanceTests
{
    [Fact]
    public async Task Restore_OnAFreshAgent_AnswersTheSameRoots_AndLeavesChainToThem()
    {
        await using var source = await ConsulTarget.StartAsync();
        RequireRestoreAllowed();
        var roots = await source.GetAsync("/v1/connect/ca/roots");
        var configuration = await source.GetAsync("/v1/connect/ca/configuration");
        var before = await source.GetAsync($"/v1/agent/connect/ca/leaf/{source.Name("web")}");
        Assert.Equal(200, before.Status);
        var (_, _, archive) = await SaveAsync(source);

        await using var fresh = await ConsulTarget.StartAsync();
        if (fresh.Agent is not null)
        {
            // A fresh test agent has a CA of its own until the restore.
            Assert.NotEqual(roots.Json["ActiveRootID"]!.GetValue<string>(), (await fresh.GetAsync("/v1/connect/ca/roots")).Json["ActiveRootID"]!.GetValue<string>());
        }

        // The fresh agent caches a leaf of its own before the restore.
        Assert.Equal(200, (await fresh.GetAsync($"/v1/agent/connect/ca/leaf/{source.Name("api")}")).Status);
        Assert.Equal(200, (await RestoreAsync(fresh, archive)).Status);

        var restored = await fresh.GetAsync("/v1/connect/ca/roots");
        Assert.Equal((roots.Text, roots.Index), (restored.Text, restored.Index));
        var restoredConfiguration = await fresh.GetAsync("/v1/connect/ca/configuration");
        Assert.Equal(configuration.Text, restoredConfiguration.Text);
        Assert.Equal(roots.Json["ActiveRootID"]!.GetValue<string>(), (await fresh.GetAsync("/v1/agent/connect/ca/roots")).Json["ActiveRootID"]!.GetValue<string>());

        var trust = ConnectAssert.RootPool(restored.Json);
        var active = X509Certificate2.CreateFromPem(restored.Json["Roots"]!.AsArray().Single(r => r!["Active"]!.GetValue<bool>())!["RootCert"]!.GetValue<string>());
        var activeKeyId = active.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray();

        // A leaf issued before the snapshot still verifies against the restored roots.
        AssertChainsTo(before.Json["CertPEM"]!.GetValue<string>(), trust, activeKeyId);

        // A leaf asked for after the restore is signed by the restored active root (the cached one of another root is reissued).
        var after = await fresh.GetAsync($"/v1/agent/connect/ca/leaf/{source.Name("api")}");
        Assert.Equal(200, after.Status);
        AssertChainsTo(after.Json["CertPEM"]!.GetValue<string>(), trust, activeKeyId);
    }

    private static void AssertChainsTo(string certPem, X509Certificate2Collection trust, byte[] activeKeyId)
    {
        var bundle = ConnectAssert.Bundle(certPem);
        var leaf = bundle[0];
        Assert.True(ConnectAssert.Verifies(leaf, trust, bundle), $"leaf {leaf.SerialNumber} does not chain to the restored roots");
        var authority = leaf.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray();
        Assert.Equal(activeKeyId, authority);
    }
}
