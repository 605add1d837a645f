// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Configuration;

/// <summary>Issue 22: the OnLoadException and OnWatchException hooks of the KV source.</summary>
public sealed class KeyValueHookTests
{
    [Fact]
    public void OnLoadException_SeesEachFailedPrefix_AndIgnoreStartsWithoutThem()
    {
        var address = $"http://127.0.0.1:{LoopbackPort.Closed()}";
        var seen = new ConcurrentQueue<(string Prefix, Exception Exception)>();

        using var configuration = (ConfigurationRoot)new ConfigurationBuilder()
            .AddConsulConnection(address)
            .AddConsulKeyValue(o =>
            {
                o.ApplicationName = "orders";
                o.Environment = "Production";
                o.OnLoadException = context =>
                {
                    seen.Enqueue((context.Prefix, context.Exception));
                    context.Ignore = true;
                };
            })
            .Build();

        Assert.Equal(["config/application/", "config/orders,Production/", "config/orders/"], seen.Select(static s => s.Prefix).Order(StringComparer.Ordinal));
        Assert.All(seen, static s => Assert.IsType<ConsulException>(s.Exception));
    }

    [Fact]
    public void OnLoadException_NotIgnored_StartUpStillFails()
    {
        var address = $"http://127.0.0.1:{LoopbackPort.Closed()}";
        var calls = 0;

        var error = Assert.Throws<InvalidOperationException>(() => new ConfigurationBuilder()
            .AddConsulConnection(address)
            .AddConsulKeyValue(o => { o.ApplicationName = "orders"; o.OnLoadException = _ => Interlocked.Increment(ref calls); })
            .Build());

        Assert.Contains(address, error.Message, StringComparison.Ordinal);
        Assert.True(Volatile.Read(ref calls) >= 1);
    }

    /// <summary>
    /// The hook sees every failure with its count, and its delay is the one taken: eight failures in a row arrive well
    /// within the deadline with a 10 ms delay, while the built-in backoff (0.5 s, 1 s, 2 s, ... 32 s at the least) needs
    /// over 60 s for them.
    /// </summary>
    [Fact]
    public async Task OnWatchException_SeesConsecutiveFailures_AndItsRetryDelayIsTaken()
    {
        var address = $"http://127.0.0.1:{LoopbackPort.Closed()}";
        var failures = new ConcurrentQueue<int>();

        using var configuration = (ConfigurationRoot)new ConfigurationBuilder()
            .AddConsulConnection(address)
            .AddConsulKeyValue(o =>
            {
                o.Prefixes.Add("config/orders/");
                o.Optional = true;
                o.OnWatchException = context =>
                {
                    Assert.Equal("config/orders/", context.Prefix);
                    Assert.IsType<ConsulException>(context.Exception);
                    Assert.InRange(context.RetryDelay, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(60));
                    failures.Enqueue(context.ConsecutiveFailures);
                    context.RetryDelay = TimeSpan.FromMilliseconds(10);
                };
            })
            .Build();

        await Eventually.WaitAsync(() => failures.Count >= 8, TimeSpan.FromSeconds(30), "eight watch failures reach the hook");
        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], failures.Take(8));
    }
}
