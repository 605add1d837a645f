// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

public sealed class ConsulHealthTests
{
    [Theory]
    [InlineData(new string[0], ConsulCheckStatus.Passing)]
    [InlineData(new[] { "passing", "passing" }, ConsulCheckStatus.Passing)]
    [InlineData(new[] { "passing", "warning" }, ConsulCheckStatus.Warning)]
    [InlineData(new[] { "warning", "critical", "passing" }, ConsulCheckStatus.Critical)]
    public void AggregatedStatus_WorstWins(string[] statuses, ConsulCheckStatus expected)
        => Assert.Equal(expected, ConsulHealth.AggregatedStatus([.. statuses.Select((s, i) => Check($"c{i}", s))]));

    [Theory]
    [InlineData("_node_maintenance")]
    [InlineData("_service_maintenance:web-1")]
    public void AggregatedStatus_MaintenanceBeatsCritical_WhereverItSits(string maintenanceId)
    {
        Assert.Equal(ConsulCheckStatus.Maintenance, ConsulHealth.AggregatedStatus([Check("a", "critical"), Check(maintenanceId, "critical")]));
        Assert.Equal(ConsulCheckStatus.Maintenance, ConsulHealth.AggregatedStatus([Check(maintenanceId, "critical"), Check("a", "bogus")]));
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("Passing")]
    [InlineData("")]
    public void AggregatedStatus_UnknownStatus_Null(string status)
        => Assert.Null(ConsulHealth.AggregatedStatus([Check("a", "critical"), Check("b", status)]));

    [Fact]
    public void AggregatedStatus_MaintenancePrefixNeedsColon()
        => Assert.Equal(ConsulCheckStatus.Passing, ConsulHealth.AggregatedStatus([Check("_service_maintenance", "passing")]));

    private static HealthCheck Check(string id, string status) => new() { CheckID = id, Status = status };
}
