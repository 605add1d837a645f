// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Registration;

namespace ServiceDiscovery.AspNetCore.Tests.Registration;

public sealed class ConsulNamesTests
{
    [Theory]
    [InlineData("Catalog.Api", "catalog-api")]
    [InlineData("Orders", "orders")]
    [InlineData("My App_2", "my-app-2")]
    [InlineData("--Edge..Case--", "edge-case")]
    [InlineData("Café", "caf")]
    [InlineData("...", "")]
    [InlineData(null, "")]
    public void ToServiceName_ApplicationName_DnsFriendly(string? applicationName, string expected)
        => Assert.Equal(expected, ConsulNames.ToServiceName(applicationName));

    [Theory]
    [InlineData("orders", "10.0.0.5", 5000, "orders-10.0.0.5-5000")]
    [InlineData("orders", "2001:db8::1", 443, "orders-2001-db8-1-443")]
    [InlineData("orders", "Web-01.Example.COM", 80, "orders-web-01.example.com-80")]
    [InlineData("Billing Service", "host", 1, "billing-service-host-1")]
    public void ToInstanceId_NameHostPort_NormalisedForConsul(string name, string host, int port, string expected)
        => Assert.Equal(expected, ConsulNames.ToInstanceId(name, host, port));

    [Fact]
    public void ToInstanceId_TwoInstancesOnOneMachine_Distinct()
        => Assert.NotEqual(ConsulNames.ToInstanceId("orders", "10.0.0.5", 5000), ConsulNames.ToInstanceId("orders", "10.0.0.5", 5001));
}
