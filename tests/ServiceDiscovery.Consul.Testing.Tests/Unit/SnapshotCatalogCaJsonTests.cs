// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Snapshots;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

/// <summary>The catalog and Connect CA parts of <c>state.bin</c>: what they carry through a write and a read, and the errors of a damaged one.</summary>
public sealed class SnapshotCatalogCaJsonTests
{
    [Fact]
    public void Catalog_RoundTripsNodesServicesChecksCoordinatesAndIndexes()
    {
        using var store = NewStore();
        byte[] written;
        lock (store.Sync)
        {
            RegisterExternal(store);
            store.UpdateCoordinate("ext", string.Empty, new NetworkCoordinate([0.5, 0, 0, 0, 0, 0, 0, 0.25], 0.75, 0.125, 0.0002));
            written = SnapshotStateJson.Write(store);
        }

        var catalog = SnapshotStateJson.Read(written).Catalog;
        CatalogTables expected;
        lock (store.Sync)
        {
            expected = store.CatalogContent();
        }

        Assert.Equal(
            (expected.NodesTableIndex, expected.ServicesTableIndex, expected.ChecksTableIndex, expected.ExtinctionIndex, expected.NodeExtinctionIndex, expected.CoordinatesIndex),
            (catalog.NodesTableIndex, catalog.ServicesTableIndex, catalog.ChecksTableIndex, catalog.ExtinctionIndex, catalog.NodeExtinctionIndex, catalog.CoordinatesIndex));
        Assert.Equal(expected.ServiceIndexes.OrderBy(p => p.Key), catalog.ServiceIndexes.OrderBy(p => p.Key));
        var ext = catalog.Nodes.Single(n => n.Node.Name == "ext");
        Assert.Equal(("id-ext", "10.1.2.3", "dc1", true), (ext.Node.Id, ext.Node.Address, ext.Node.Datacenter, ext.Node.IsExternal));
        Assert.Equal(new Dictionary<string, string> { ["wan"] = "198.51.100.7" }, ext.Node.Tagged);
        Assert.Equal(new Dictionary<string, string> { ["rack"] = "r1" }, ext.Node.Meta);
        var server = catalog.Nodes.Single(n => n.Node.Name == "n1");
        Assert.Null(server.Node.Tagged);
        Assert.False(server.Node.IsExternal);

        var service = Assert.Single(ext.Services);
        Assert.Equal(("svc-1", "svc", 8080, 3, 1), (service.Id, service.Name, service.Port, service.WeightPassing, service.WeightWarning));
        Assert.Equal(["a", "b"], service.Tags);
        var check = ext.Checks.Single(c => c.CheckId == "svc-check");
        Assert.Equal(("critical", "connection refused", "http", "10s", "2s", "svc-1", "svc"), (check.CatalogStatus, check.CatalogOutput, check.Type, check.IntervalText, check.TimeoutText, check.ServiceId, check.ServiceName));
        var original = expected.Nodes.Single(n => n.Node.Name == "ext");
        Assert.Equal(original.Checks.Select(c => (c.CheckId, c.CreateIndex, c.ModifyIndex)), ext.Checks.Select(c => (c.CheckId, c.CreateIndex, c.ModifyIndex)));
        Assert.Equal((original.Services[0].CreateIndex, original.Services[0].ModifyIndex, original.Touched), (service.CreateIndex, service.ModifyIndex, ext.Touched));
        var coordinate = Assert.Single(catalog.Coordinates, c => c.Node == "ext").Coordinate;
        Assert.Equal([0.5, 0, 0, 0, 0, 0, 0, 0.25], coordinate.Vec);
        Assert.Equal((0.75, 0.125, 0.0002), (coordinate.Error, coordinate.Adjustment, coordinate.Height));
    }

    [Fact]
    public void ConnectCa_RoundTripsRootsAndKeys_AndTheRestoredCaSignsWithTheActiveKey()
    {
        using var store = NewStore();
        byte[] written;
        ConnectCa ca;
        lock (store.Sync)
        {
            ca = store.ConnectCa(new ConsulTestAgentConnectOptions());
            ca.Rotate(CaSigningKey.Generate("ec", 384), null, store.Time.GetUtcNow(), store.NextIndex());
            written = SnapshotStateJson.Write(store);
        }

        var content = SnapshotStateJson.Read(written).ConnectCa!;
        Assert.Equal((ca.ClusterId, ca.Serial, ca.RootsIndex, ca.ConfigModifyIndex, ca.Settings), (content.ClusterId, content.Serial, content.RootsIndex, content.ConfigModifyIndex, content.Settings));
        Assert.Equal(ca.Config.ToJsonString(), content.Config.ToJsonString());
        Assert.Equal(
            ca.Roots.Select(r => (r.Id, r.Active, r.RotatedOutAt, r.SerialNumber, r.SigningKeyId, r.RootCertPem, string.Concat(r.IntermediateCertPems), r.CreateIndex, r.ModifyIndex)),
            content.Roots.Select(r => (r.Id, r.Active, r.RotatedOutAt, r.SerialNumber, r.SigningKeyId, r.RootCertPem, string.Concat(r.IntermediateCertPems), r.CreateIndex, r.ModifyIndex)));
        Assert.Equal(ca.Roots.Select(r => (r.SigningKey.Type, r.SigningKey.Bits)), content.Roots.Select(r => (r.SigningKey.Type, r.SigningKey.Bits)));

        using var restored = ConnectCa.FromSnapshot(content);
        var leaf = restored.Sign("web", "dc1", store.Time.GetUtcNow(), 99);
        using var certificate = X509Certificate2.CreateFromPem(leaf.CertPem);
        using var root = X509Certificate2.CreateFromPem(ca.ActiveRoot.RootCertPem);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate), "a leaf of the restored CA does not chain to the saved active root");
        Assert.True(ConnectCertificates.Serial(ca.Serial + 1).SequenceEqual(certificate.GetSerialNumber().Reverse()), "the restored CA does not continue the saved serial counter");
    }

    [Fact]
    public void DamagedParts_AreRefusedNamingTheField()
    {
        using var store = NewStore();
        byte[] written;
        lock (store.Sync)
        {
            store.ConnectCa(new ConsulTestAgentConnectOptions());
            written = SnapshotStateJson.Write(store);
        }

        var badKey = Edit(written, d => d["ConnectCA"]!["Roots"]![0]!["SigningKey"] = "not a key");
        var id = JsonNode.Parse(written)!["ConnectCA"]!["Roots"]![0]!["ID"]!.GetValue<string>();
        Assert.Equal($"state.bin field ConnectCA.Roots[{id}].SigningKey is missing or not a PEM private key", Assert.Throws<FormatException>(() => SnapshotStateJson.Read(badKey)).Message);
        var noCatalog = Edit(written, d => d.AsObject().Remove("Catalog"));
        Assert.Equal("state.bin field Catalog is missing or not an object", Assert.Throws<FormatException>(() => SnapshotStateJson.Read(noCatalog)).Message);
        var badCheck = Edit(written, d => d["Catalog"]!["Nodes"]![0]!["Checks"]![0]!["Status"] = 3);
        Assert.Equal("state.bin field Status is missing or not a string", Assert.Throws<FormatException>(() => SnapshotStateJson.Read(badCheck)).Message);

        var noActive = SnapshotStateJson.Read(Edit(written, d => d["ConnectCA"]!["Roots"]![0]!["Active"] = false)).ConnectCa!;
        Assert.Equal("state.bin field ConnectCA.Roots has 0 active roots; a CA has exactly one", Assert.Throws<FormatException>(() => ConnectCa.FromSnapshot(noActive)).Message);
    }

    [Fact]
    public void RestoreCatalog_TheRunningServerKeepsItsDatacenter_EvenWithTheSameNodeId()
    {
        var id = Guid.NewGuid().ToString();
        using var east = new StateStore(new NodeInfo("n1", id, "127.0.0.1", "east", 10));
        using var local = new StateStore(new NodeInfo("n1", id, "127.0.0.1", "dc1", 10));
        lock (local.Sync)
        {
            local.RestoreCatalog(east.CatalogContent());
            Assert.Equal("dc1", local.ServerNode.Node.Datacenter);
            Assert.Same(local.ServerNode, local.Nodes["n1"]);
        }
    }

    private static StateStore NewStore() => new(new NodeInfo("n1", Guid.NewGuid().ToString(), "127.0.0.1", "dc1", 10));

    private static void RegisterExternal(StateStore store)
    {
        var node = new NodeInfo("ext", "id-ext", "10.1.2.3", "dc1", 0)
        {
            Tagged = new Dictionary<string, string> { ["wan"] = "198.51.100.7" },
            Meta = new Dictionary<string, string> { ["rack"] = "r1" },
            IsExternal = true,
        };
        var service = new ServiceRecord { Id = "svc-1", Name = "svc", Tags = ["a", "b"], Port = 8080, WeightPassing = 3, WeightWarning = 1 };
        var check = new CheckRecord
        {
            CheckId = "svc-check", Name = "probe", ServiceId = "svc-1", ServiceName = "svc", Type = "http", CatalogTexts = ("10s", "2s"),
            Status = "critical", CatalogStatus = "critical", Output = "connection refused", CatalogOutput = "connection refused",
        };
        Assert.NotEqual(0UL, store.WriteRegistration(node, skipNodeUpdate: false, service, [check]));
    }

    private static byte[] Edit(byte[] state, Action<JsonNode> edit)
    {
        var document = JsonNode.Parse(state)!;
        edit(document);
        return System.Text.Encoding.UTF8.GetBytes(document.ToJsonString());
    }
}
