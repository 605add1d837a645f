// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

public sealed class HealthAggregationTests
{
    [Theory]
    [InlineData(new string[0], ConsulCheckStatus.Passing)]
    [InlineData(new[] { "passing", "passing" }, ConsulCheckStatus.Passing)]
    [InlineData(new[] { "passing", "warning" }, ConsulCheckStatus.Warning)]
    [InlineData(new[] { "warning", "critical", "passing" }, ConsulCheckStatus.Critical)]
    public void Aggregate_ReturnsTheWorstStatus(string[] statuses, ConsulCheckStatus expected)
    {
        var checks = statuses.Select((s, i) => Entries.Check($"check-{i}", s)).ToArray();

        Assert.Equal(expected, HealthAggregation.Aggregate(checks));
    }

    [Theory]
    [InlineData("_node_maintenance")]
    [InlineData("_service_maintenance:web-1")]
    public void Aggregate_MaintenanceCheck_WinsWhateverItsStatus(string checkId)
    {
        HealthCheck[] checks = [Entries.Check("serfHealth", "critical"), Entries.Check(checkId, "passing")];

        Assert.Equal(ConsulCheckStatus.Maintenance, HealthAggregation.Aggregate(checks));
    }

    [Fact]
    public void Aggregate_UnknownStatus_IsNotAStatus()
    {
        HealthCheck[] checks = [Entries.Check("a", "passing"), Entries.Check("b", "unknown")];

        Assert.Null(HealthAggregation.Aggregate(checks));
    }
}
