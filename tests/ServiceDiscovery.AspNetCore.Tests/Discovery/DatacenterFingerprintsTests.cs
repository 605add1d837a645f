// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Digests;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

public sealed class DatacenterFingerprintsTests
{
    private static readonly HealthCheck[] Before =
    [
        Check("web", "web-1", "passing"),
        Check("web", "web-2", "passing"),
        Check("db", "db-1", "passing"),
        new HealthCheck { CheckID = "serfHealth", Status = "passing", Node = "n1" },
    ];

    [Fact]
    public void SameChecksInAnotherOrder_NothingChanged()
        => Assert.Empty(Changed(Before, [.. Before.Reverse()]));

    [Fact]
    public void StatusFlip_ChangesOnlyThatService()
        => Assert.Equal(["web"], Changed(Before, [Check("web", "web-1", "critical"), Before[1], Before[2], Before[3]]));

    [Fact]
    public void OutputOnly_ChangesTheService()
        => Assert.Equal(["db"], Changed(Before, [Before[0], Before[1], Check("db", "db-1", "passing") with { Output = "slow" }, Before[3]]));

    [Fact]
    public void RemovedCheckAndRemovedService_BothChange()
        => Assert.Equal(["db", "web"], Changed(Before, [Before[0], Before[3]]).Order(StringComparer.Ordinal));

    [Fact]
    public void NodeCheck_IsNoServicesChange()
        => Assert.Empty(Changed(Before, [Before[0], Before[1], Before[2], Before[3] with { Status = "critical" }]));

    [Fact]
    public void Catalog_TagsInAnyOrder_SameButAddedTagOrNameChanges()
    {
        var before = CatalogServicesDigest.Of(new Dictionary<string, IReadOnlyList<string>> { ["web"] = ["a", "b"], ["bare"] = [] });
        var same = CatalogServicesDigest.Of(new Dictionary<string, IReadOnlyList<string>> { ["web"] = ["b", "a"], ["bare"] = [] });
        var after = CatalogServicesDigest.Of(new Dictionary<string, IReadOnlyList<string>> { ["web"] = ["a", "b", "c"], ["new"] = [] });

        Assert.Empty(Diff(before, same));
        Assert.Equal(["bare", "new", "web"], Diff(before, after).Order(StringComparer.Ordinal));
    }

    private static HealthCheck Check(string service, string id, string status) => new()
    {
        CheckID = "service:" + id,
        Status = status,
        Node = "n1",
        ServiceID = id,
        ServiceName = service,
    };

    private static List<string> Changed(HealthCheck[] before, HealthCheck[] after)
        => Diff(HealthStateDigest.Of(before), HealthStateDigest.Of(after));

    private static List<string> Diff(Dictionary<string, ulong> before, Dictionary<string, ulong> after)
    {
        var changed = new List<string>();
        DatacenterFingerprints.Diff(before, after, changed.Add);
        return changed;
    }
}
