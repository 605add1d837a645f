// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Discovery;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// The datacenter watch's logic with fakes and fake time (docs/scale.md, How a change is found): which names are
/// re-read, the index rules of its two blocking queries, their token bucket and backoff, staleness while they fail.
/// </summary>
public sealed class DatacenterWatchTests
{
    private static readonly string[] Five = ["a", "b", "c", "d", "e"];

    [Fact]
    public async Task CheckChange_RereadsOnlyThatName()
    {
        await using var dc = new DatacenterHarness();
        await dc.StartAsync([.. Five.Select(n => DatacenterHarness.Check(n))], DatacenterHarness.Names(Five));

        dc.Instances["c"] = [Entries.Instance("c-1", service: "c"), Entries.Instance("c-2", service: "c")];
        dc.State.Set(11, [.. Five.Select(n => DatacenterHarness.Check(n, n == "c" ? "critical" : "passing"))]);

        await DiscoveryEventually.InstancesAsync(dc.Harness.Discovery, "c", i => i.Count == 2);
        await DatacenterHarness.BlockingAsync(dc.State, 11);
        Assert.Equal(3, dc.Reads("c"));
        Assert.All(Five.Where(n => n != "c"), n => Assert.Equal(2, dc.Reads(n)));
    }

    [Fact]
    public async Task NameReadAheadOfTheAnswers_IsReadAgainAfterTheNextAnswer_EvenWhenItShowsNoChange()
    {
        await using var dc = new DatacenterHarness();
        await dc.StartAsync([DatacenterHarness.Check("a")], DatacenterHarness.Names("a"));

        // The answer at 11 says a's check failed; the read it causes already sees a later state (index 12: no instance).
        var failing = DatacenterHarness.Check("a", "critical", modifyIndex: 11);
        dc.ReadIndex = _ => 12;
        dc.Instances["a"] = [];
        dc.State.Set(11, [failing]);
        await DiscoveryEventually.InstancesAsync(dc.Harness.Discovery, "a", i => i.Count == 0);
        await DatacenterHarness.BlockingAsync(dc.State, 11);

        // At 13 the checks are back to what the answer at 11 showed: compared with it, nothing changed. The name was
        // read ahead of that answer, so it is read again, and shows the instance.
        dc.ReadIndex = _ => 13;
        dc.Instances["a"] = [Entries.Instance("a-1", service: "a")];
        dc.State.Set(13, [failing]);
        await DiscoveryEventually.InstancesAsync(dc.Harness.Discovery, "a", i => i.Count == 1);
        await DatacenterHarness.BlockingAsync(dc.State, 13);
        Assert.Equal(4, dc.Reads("a"));

        // That read was not ahead of the answer at 13: an unchanged answer at 14 reads nothing.
        dc.State.Set(14, [failing]);
        await DatacenterHarness.BlockingAsync(dc.State, 14);
        Assert.Equal(4, dc.Reads("a"));
    }

    [Fact]
    public async Task IndexGoesBackwards_PausesResetsToZeroAndComparesWithTheLastAnswer()
    {
        await using var dc = new DatacenterHarness();
        await dc.StartAsync([.. Five.Select(n => DatacenterHarness.Check(n))], DatacenterHarness.Names(Five));
        var sent = dc.State.RequestCount;

        // A restored snapshot: index 5, lower than the 10 the watch blocks on; it answers when the wait runs out.
        dc.State.Set(5, [.. Five.Select(n => DatacenterHarness.Check(n, n == "d" ? "warning" : "passing"))]);
        dc.State.ExpireWaits();

        await dc.DelayAsync(DatacenterHarness.MinimumQueryInterval);
        Assert.Equal(sent, dc.State.RequestCount);

        dc.Time.Advance(DatacenterHarness.MinimumQueryInterval);
        await DatacenterHarness.BlockingAsync(dc.State, 5);
        Assert.Equal(0ul, dc.State.Requests[^2].Index);
        Assert.Equal(sent + 2, dc.State.RequestCount);
        await DiscoveryEventually.UntilAsync(() => dc.Reads("d") == 3, "the changed name was read again");
        Assert.All(Five.Where(n => n != "d"), n => Assert.Equal(2, dc.Reads(n)));
    }

    [Fact]
    public async Task IndexZero_IsTreatedAsOne_NoHotLoop()
    {
        await using var dc = new DatacenterHarness();
        await dc.StartAsync([DatacenterHarness.Check("a")], DatacenterHarness.Names("a"), stateIndex: 0);

        // Answered at index 0, the next query asks for 1 and blocks.
        Assert.Equal([0ul, 1ul], dc.State.Requests.Select(r => r.Index));

        // Still 0 when its wait runs out: an index that went backwards, so a pause, then 0 and 1 again.
        dc.State.ExpireWaits();
        await dc.DelayAsync(DatacenterHarness.MinimumQueryInterval);
        Assert.Equal(2, dc.State.RequestCount);
        dc.Time.Advance(DatacenterHarness.MinimumQueryInterval);
        await DatacenterHarness.BlockingAsync(dc.State, 1);
        Assert.Equal([0ul, 1ul, 0ul, 1ul], dc.State.Requests.Select(r => r.Index));
        Assert.Equal(2, dc.Reads("a"));
    }

    [Fact]
    public async Task IndexKeepsMoving_TokenBucketAllowsBurstThenOnePerInterval()
    {
        await using var dc = new DatacenterHarness();
        var checks = Five.Select(n => DatacenterHarness.Check(n)).ToArray();
        await dc.StartAsync(checks, DatacenterHarness.Names(Five));

        // Every answer comes back at once with a higher index and the same checks.
        dc.State.AutoAdvance = true;
        dc.State.Set(11, checks);

        // Fake time stands still: the burst is all the watch can send (the start used two of it).
        await dc.DelayAsync(DatacenterHarness.MinimumQueryInterval);
        Assert.Equal(TokenBucket.WatchBurst, dc.State.RequestCount);
        for (var second = 1; second <= 3; second++)
        {
            dc.Time.Advance(DatacenterHarness.MinimumQueryInterval);
            await dc.DelayAsync(DatacenterHarness.MinimumQueryInterval);
            Assert.Equal(TokenBucket.WatchBurst + second, dc.State.RequestCount);
        }

        // Nothing changed in the answers: no name was read again.
        Assert.All(Five, n => Assert.Equal(2, dc.Reads(n)));
    }

    [Fact]
    public async Task QueryFails_BacksOffServesEveryNameStale_UnchangedNamesFreshAgainWithoutARead()
    {
        await using var dc = new DatacenterHarness();
        var checks = Five.Select(n => DatacenterHarness.Check(n)).ToArray();
        await dc.StartAsync(checks, DatacenterHarness.Names(Five));
        var sent = dc.State.RequestCount;

        dc.State.FailNext(2);
        dc.State.DropHeld();
        await DiscoveryEventually.UntilAsync(() => Five.All(n => dc.Harness.Discovery.TryGetCached(n, out var i) && i.IsStale), "every fed name is stale");

        // One query per backoff step: 100 ms, doubling (jitter fixed at its maximum).
        // The dropped query failed first, then the two sent after 100 and 200 ms.
        int[] steps = [100, 200, 400];
        for (var failed = 0; failed < steps.Length; failed++)
        {
            var step = steps[failed];
            await dc.DelayAsync(TimeSpan.FromMilliseconds(step));
            Assert.Equal(sent + failed, dc.State.RequestCount);
            if (step == 400)
            {
                // While it is down, b changes; the answer that recovers shows it.
                dc.Instances["b"] = [];
                dc.State.Set(10, [.. Five.Select(n => DatacenterHarness.Check(n, n == "b" ? "critical" : "passing"))]);
            }

            dc.Time.Advance(TimeSpan.FromMilliseconds(step));
        }

        await DatacenterHarness.BlockingAsync(dc.State, 10);
        await DiscoveryEventually.InstancesAsync(dc.Harness.Discovery, "b", i => i.Count == 0 && !i.IsStale);
        foreach (var name in Five.Where(n => n != "b"))
        {
            var instances = await dc.LookupAsync(name);
            Assert.False(instances.IsStale, name);
            Assert.Equal(2, dc.Reads(name));
        }

        Assert.Equal(3, dc.Reads("b"));
    }

    [Fact]
    public async Task BothQueriesRecover_NamesChangedDuringTheOutage_StayStaleUntilTheirOwnReadsAnswer()
    {
        string[] names = [.. Five, "f"];
        await using var dc = new DatacenterHarness();
        await dc.StartAsync([.. names.Select(n => DatacenterHarness.Check(n))], DatacenterHarness.Names(names));
        var workers = DiscoveryConnectionBudget.RefreshConcurrency(dc.Harness.Options.Discovery);
        Assert.True(workers < Five.Length, "one changed name must wait in the queue while the workers read the others");

        // From now on, the reads of the changed names are held until the test lets them through.
        var readAnswers = dc.Harness.Client.Handler!;
        var held = 0;
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        dc.Harness.Client.Handler = async request =>
        {
            if (Five.Contains(request.Service))
            {
                Interlocked.Increment(ref held);
                await released.Task.WaitAsync(request.CancellationToken);
            }

            return await readAnswers(request);
        };

        // Both queries fail; the checks query recovers at its second retry (after 100 and 200 ms), the services query
        // at its third (400 ms later). Meanwhile a to e go critical and lose their instance; f does not change.
        dc.State.FailNext(1);
        dc.Services.FailNext(2);
        dc.State.DropHeld();
        dc.Services.DropHeld();
        await DiscoveryEventually.UntilAsync(() => names.All(n => dc.Harness.Discovery.TryGetCached(n, out var i) && i.IsStale), "every fed name is stale");
        foreach (var name in Five)
        {
            dc.Instances[name] = [];
        }

        dc.State.Set(10, [.. names.Select(n => DatacenterHarness.Check(n, n == "f" ? "passing" : "critical"))]);
        foreach (var step in (int[])[100, 200])
        {
            // One delay per query loop.
            await dc.DelayAsync(TimeSpan.FromMilliseconds(step));
            await dc.DelayAsync(TimeSpan.FromMilliseconds(step));
            dc.Time.Advance(TimeSpan.FromMilliseconds(step));
        }

        // The checks query answered and showed the five changes: every worker is in a held read, one name is queued.
        await DiscoveryEventually.UntilAsync(() => Volatile.Read(ref held) == workers, "every worker reads a changed name");
        await DatacenterHarness.BlockingAsync(dc.State, 10);

        // The services query recovers (once it blocks again, the names were marked): f is fresh again; the changed
        // names are not, neither those being read nor the one waiting for a worker.
        await dc.DelayAsync(TimeSpan.FromMilliseconds(400));
        dc.Time.Advance(TimeSpan.FromMilliseconds(400));
        await DatacenterHarness.BlockingAsync(dc.Services, 10);
        Assert.False((await dc.LookupAsync("f")).IsStale);
        foreach (var name in Five)
        {
            var during = await dc.LookupAsync(name);
            Assert.True(during.IsStale, $"{name} was marked fresh before its read answered");
            Assert.Single(during);
        }

        released.SetResult();
        foreach (var name in Five)
        {
            await DiscoveryEventually.InstancesAsync(dc.Harness.Discovery, name, i => i.Count == 0 && !i.IsStale);
        }
    }

    [Fact]
    public async Task CheckLessService_NewInstanceWithSameTags_IsReread()
    {
        await using var dc = new DatacenterHarness();
        await dc.StartAsync([DatacenterHarness.Check("a")], DatacenterHarness.Names("a", "bare"));

        // Only the services table moves: no check row, no tag change.
        dc.Instances["bare"] = [Entries.Instance("bare-1", service: "bare"), Entries.Instance("bare-2", service: "bare")];
        dc.Services.Set(11, DatacenterHarness.Names("a", "bare"));

        await DiscoveryEventually.InstancesAsync(dc.Harness.Discovery, "bare", i => i.Count == 2);
        await DatacenterHarness.BlockingAsync(dc.Services, 11);
        Assert.Equal(3, dc.Reads("bare"));
        Assert.Equal(2, dc.Reads("a"));
    }

    [Fact]
    public async Task CheckLessService_NewInstanceInTheSameAnswerAsATagChange_IsReread()
    {
        await using var dc = new DatacenterHarness();
        await dc.StartAsync([DatacenterHarness.Check("a")], DatacenterHarness.Names("a", "bare"));

        // One answer carries two writes: a's new tag (visible) and bare's new instance (not visible).
        dc.Instances["bare"] = [Entries.Instance("bare-1", service: "bare"), Entries.Instance("bare-2", service: "bare")];
        dc.Services.Set(12, new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { ["a"] = ["v2"], ["bare"] = [] });

        await DiscoveryEventually.InstancesAsync(dc.Harness.Discovery, "bare", i => i.Count == 2);
        Assert.Equal(3, dc.Reads("bare"));
    }

    [Fact]
    public async Task TagChange_RereadsOnlyThatName()
    {
        await using var dc = new DatacenterHarness();
        await dc.StartAsync([.. Five.Select(n => DatacenterHarness.Check(n))], DatacenterHarness.Names(Five));

        var services = Five.ToDictionary(n => n, IReadOnlyList<string> (n) => n == "e" ? ["v2"] : [], StringComparer.Ordinal);
        dc.Instances["e"] = [Entries.Instance("e-1", service: "e", tags: ["v2"])];
        dc.Services.Set(11, services);

        await DiscoveryEventually.InstancesAsync(dc.Harness.Discovery, "e", i => i[0].Tags.Contains("v2"));
        await DatacenterHarness.BlockingAsync(dc.Services, 11);
        Assert.Equal(3, dc.Reads("e"));
        Assert.All(Five.Where(n => n != "e"), n => Assert.Equal(2, dc.Reads(n)));
    }

    [Fact]
    public async Task NameDisappears_IsRereadAndServedEmpty()
    {
        await using var dc = new DatacenterHarness();
        await dc.StartAsync([DatacenterHarness.Check("a"), DatacenterHarness.Check("b")], DatacenterHarness.Names("a", "b"));

        dc.Instances.TryRemove("b", out _);
        dc.State.Set(11, [DatacenterHarness.Check("a")]);
        dc.Services.Set(11, DatacenterHarness.Names("a"));

        await DiscoveryEventually.InstancesAsync(dc.Harness.Discovery, "b", i => i.Count == 0 && !i.IsStale);
        await DatacenterHarness.BlockingAsync(dc.State, 11);
        await DatacenterHarness.BlockingAsync(dc.Services, 11);
        Assert.Single(await dc.LookupAsync("a"));
        Assert.Equal(2, dc.Reads("a"));
        Assert.InRange(dc.Reads("b"), 3, 4); // once per table that saw it go, unless both changes met one read
    }
}
