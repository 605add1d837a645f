// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Checks;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

public sealed class StatusHandlerTests
{
    [Fact]
    public void Next_ZeroThresholds_AppliesEveryResult()
    {
        var handler = new StatusHandler(0, 0, 0);
        Assert.Equal("critical", handler.Next("critical"));
        Assert.Equal("passing", handler.Next("passing"));
        Assert.Equal("warning", handler.Next("warning"));
    }

    [Fact]
    public void Next_FirstResult_AppliesImmediately()
    {
        Assert.Equal("critical", new StatusHandler(3, 0, 3).Next("critical"));
        Assert.Equal("passing", new StatusHandler(3, 0, 3).Next("passing"));
    }

    [Fact]
    public void Next_FailuresBeforeWarningDefaultsToCritical()
    {
        var handler = new StatusHandler(0, 0, 2);
        Assert.Equal("passing", handler.Next("passing"));
        Assert.Null(handler.Next("critical"));
        Assert.Equal("critical", handler.Next("critical"));
    }

    [Fact]
    public void Next_WarningCountsAsSuccess()
    {
        var handler = new StatusHandler(2, 0, 0);
        Assert.Equal("critical", handler.Next("critical"));
        Assert.Null(handler.Next("warning"));
        Assert.Equal("warning", handler.Next("warning"));
    }
}
