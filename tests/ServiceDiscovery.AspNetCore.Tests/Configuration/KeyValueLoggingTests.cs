// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ServiceDiscovery.AspNetCore.Configuration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Configuration;

/// <summary>The KV source logs through the host's logging: what it said while configuration was built, and after.</summary>
public sealed class KeyValueLoggingTests
{
    private const string Category = "ServiceDiscovery.AspNetCore.Configuration.ConsulKeyValue";

    [Fact]
    public async Task WhatTheSourceLoggedBeforeTheHost_ReachesTheHostsLogging_WhenItStarts()
    {
        var address = $"http://127.0.0.1:{LoopbackPort.Closed()}";
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Configuration
            .AddConsulConnection(address, timeout: TimeSpan.FromSeconds(2))
            .AddConsulKeyValue(o => { o.ApplicationName = "orders"; o.Optional = true; });
        builder.Logging.AddFakeLogging();
        builder.Services.AddConsulDiscoveryCache();
        using var host = builder.Build();
        var logs = host.Services.GetFakeLogCollector();
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Category == Category);

        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var held = logs.GetSnapshot().Where(r => r.Category == Category).ToList();
            var startedWithout = held.Where(r => r.Id.Name == "ConsulKeyValueStartedWithout").ToList();
            Assert.Equal(3, startedWithout.Count); // one per layered prefix, in the order they were read
            Assert.All(startedWithout, r => Assert.Equal(LogLevel.Warning, r.Level));
            Assert.All(startedWithout, r => Assert.Contains(address, r.Message, StringComparison.Ordinal));
            Assert.Contains("'config/application/'", startedWithout[0].Message, StringComparison.Ordinal);
            Assert.Contains("'config/orders,Production/'", startedWithout[2].Message, StringComparison.Ordinal);
        }
        finally
        {
            await host.StopAsync(TestContext.Current.CancellationToken);
            (builder.Configuration as IDisposable)?.Dispose();
        }
    }

    /// <summary>Issue 22: an app that reads KV and makes no other AddConsul* call gets the source's logs through the host builder overload.</summary>
    [Fact]
    public async Task KeyValueOnlyApp_HostBuilderOverload_GetsTheSourcesLogs()
    {
        var address = $"http://127.0.0.1:{LoopbackPort.Closed()}";
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Configuration.AddConsulConnection(address, timeout: TimeSpan.FromSeconds(2));
        builder.AddConsulKeyValue(o => { o.ApplicationName = "orders"; o.Optional = true; });
        builder.Logging.AddFakeLogging();
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var startedWithout = host.Services.GetFakeLogCollector().GetSnapshot().Where(r => r.Category == Category && r.Id.Name == "ConsulKeyValueStartedWithout").ToList();
            Assert.Equal(3, startedWithout.Count);
            Assert.All(startedWithout, r => Assert.Contains(address, r.Message, StringComparison.Ordinal));
        }
        finally
        {
            await host.StopAsync(TestContext.Current.CancellationToken);
            (builder.Configuration as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void HeldEntries_AreReplayedInOrder_ThenWrittenThrough_AndDropsAreCounted()
    {
        var deferred = new DeferredLoggerFactory();
        var logger = deferred.CreateLogger("kv");
        logger.LogDebug("not held: below Information");
        for (var i = 0; i < DeferredLoggerFactory.Capacity + 3; i++)
        {
            logger.LogWarning("entry {Number}", i);
        }

        var collector = new FakeLogCollector();
        using var host = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(collector)));
        deferred.Attach(host);
        logger.LogDebug("written through");

        var records = collector.GetSnapshot();
        var replayed = records.Where(r => r.Category == "kv").Select(r => r.Message).ToList();
        Assert.Equal(DeferredLoggerFactory.Capacity + 1, replayed.Count);
        Assert.Equal("entry 3", replayed[0]); // the three oldest were dropped
        Assert.Equal($"entry {DeferredLoggerFactory.Capacity + 2}", replayed[^2]);
        Assert.Equal("written through", replayed[^1]);
        Assert.Contains(records, r => r.Level == LogLevel.Warning && r.Message.StartsWith("3 earlier log entries", StringComparison.Ordinal));
    }

}
