// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using ServiceDiscovery.AspNetCore.Consul;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Discovery;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>The fail-static snapshot file (<c>Consul:Discovery:SnapshotPath</c>) with fake Consul and fake time.</summary>
public sealed class DiscoverySnapshotFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sd-discovery-snapshot-").FullName;

    private string SnapshotPath => Path.Combine(_folder, "discovery.json");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ColdStart_ConsulUnreachable_ServesSavedInstancesStale_ThenLiveAnswerReplacesThem()
    {
        var saved = Entries.Instance(
            "catalog-1", address: "10.0.0.7", port: 8443, tags: ["v2", "blue"],
            meta: new Dictionary<string, string> { ["scheme"] = "https", ["zone"] = "a" }, weights: new ServiceWeights(5, 2));
        await SaveAsync(42, saved);

        await using var harness = NewHarness();
        var lookup = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        (await harness.Client.NextRequestAsync()).Fail(ConsulErrorReason.ConnectionFailed);
        var fromFile = await lookup;

        Assert.True(fromFile.IsStale);
        Assert.Equal(42UL, fromFile.Index);
        var instance = Assert.Single(fromFile);
        Assert.Equal("catalog-1", instance.Id);
        Assert.Equal(new Uri("https://10.0.0.7:8443/"), instance.Uri);
        Assert.Equal(["v2", "blue"], instance.Tags);
        Assert.Equal("a", instance.Meta["zone"]);
        Assert.Equal((5, 2), (instance.PassingWeight, instance.WarningWeight));
        Assert.Equal(("dc1", "node1"), (instance.Datacenter, instance.Node));
        var served = Assert.Single(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoveryServedFromSnapshotFile");
        Assert.Contains("'catalog'", served.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoveryFirstFetchFailed");

        // Consul comes back (the retry after the backoff): its answer replaces the saved one at once, even a different one.
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        (await harness.Client.NextRequestAsync()).Respond(50, Entries.Instance("catalog-2", address: "10.0.0.8"));
        await WaitForIndexAsync(harness, 50);
        var live = await harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        Assert.False(live.IsStale);
        Assert.Equal("catalog-2", Assert.Single(live).Id);
        Assert.Contains(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoverySnapshotFileReplaced");
    }

    [Fact]
    public async Task ServedFromFile_SnapshotAgeGaugeSaysFileAndTheFilesAge()
    {
        await SaveAsync(7, Entries.Instance("catalog-1"));
        await using var harness = NewHarness();
        harness.Time.Advance(TimeSpan.FromMinutes(30));
        using var ages = new MetricCollector<double>(harness.MeterFactory, ConsulTelemetry.Name, "consul.discovery.snapshot.age");

        var lookup = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        (await harness.Client.NextRequestAsync()).Fail(ConsulErrorReason.Timeout);
        await lookup;
        ages.RecordObservableInstruments();

        var age = Assert.Single(ages.GetMeasurementSnapshot());
        Assert.Equal(TimeSpan.FromMinutes(30).TotalSeconds, age.Value, precision: 3);
        Assert.Equal("file", age.Tags[DiscoveryMetrics.SnapshotSourceTag]);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "ACL not found")]
    [InlineData(HttpStatusCode.NotFound, "")]
    [InlineData(HttpStatusCode.InternalServerError, "Failed to create boolean expression evaluator: 1:1 (0): no match found")]
    public async Task FirstQueryRefused_IsNotMaskedByTheFile(HttpStatusCode status, string body)
    {
        await SaveAsync(7, Entries.Instance("catalog-1"));
        await using var harness = NewHarness();

        var lookup = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        (await harness.Client.NextRequestAsync()).Fail(ConsulErrorReason.ApiError, status, body);

        var error = await Assert.ThrowsAsync<ConsulException>(() => lookup.AsTask());
        Assert.Equal(status, error.StatusCode);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task FirstQueryFailsWithServerError_FallsBack(HttpStatusCode status)
    {
        await SaveAsync(7, Entries.Instance("catalog-1"));
        await using var harness = NewHarness();

        var lookup = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        (await harness.Client.NextRequestAsync()).Fail(ConsulErrorReason.ApiError, status, "rpc error making call: No cluster leader");

        Assert.True((await lookup).IsStale);
    }

    [Fact]
    public async Task SnapshotOlderThanMaxAge_IsNotServed()
    {
        await SaveAsync(7, Entries.Instance("catalog-1"));
        await using var harness = NewHarness();
        harness.Time.Advance(TimeSpan.FromHours(25));

        var lookup = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        (await harness.Client.NextRequestAsync()).Fail(ConsulErrorReason.ConnectionFailed);

        await Assert.ThrowsAsync<ConsulException>(() => lookup.AsTask());
        var tooOld = Assert.Single(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoverySnapshotTooOld");
        Assert.Contains("1.01:00:00", tooOld.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"Version\": 1, \"Services\": { \"catalog\": ")]
    [InlineData("not json at all")]
    public async Task CorruptFile_IsIgnoredWithALog(string content)
    {
        await File.WriteAllTextAsync(SnapshotPath, content, TestContext.Current.CancellationToken);
        await using var harness = NewHarness();

        var lookup = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        (await harness.Client.NextRequestAsync()).Fail(ConsulErrorReason.ConnectionFailed);

        await Assert.ThrowsAsync<ConsulException>(() => lookup.AsTask());
        Assert.Single(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoverySnapshotUnreadable");
    }

    [Fact]
    public async Task FileOfAnotherVersion_IsIgnoredWithALog()
    {
        await SaveAsync(7, Entries.Instance("catalog-1"));
        var text = await File.ReadAllTextAsync(SnapshotPath, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(SnapshotPath, text.Replace("\"Version\":1", "\"Version\":99", StringComparison.Ordinal), TestContext.Current.CancellationToken);
        await using var harness = NewHarness();

        var lookup = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        (await harness.Client.NextRequestAsync()).Fail(ConsulErrorReason.ConnectionFailed);

        await Assert.ThrowsAsync<ConsulException>(() => lookup.AsTask());
        Assert.Single(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoverySnapshotForeignVersion");
    }

    [Fact]
    public async Task InstancesSavedForOtherQuerySettings_AreNotServed()
    {
        await SaveAsync(7, Entries.Instance("catalog-1"));
        await using var harness = NewHarness(o => o.Discovery.Tags.Add("v2"));

        var lookup = harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        (await harness.Client.NextRequestAsync()).Fail(ConsulErrorReason.ConnectionFailed);

        await Assert.ThrowsAsync<ConsulException>(() => lookup.AsTask());
    }

    [Theory]
    [InlineData("Filter")]
    [InlineData("Datacenter")]
    [InlineData("TaggedAddress")]
    [InlineData("PassingOnly")]
    [InlineData("PanicThreshold")]
    public async Task InstancesSavedUnderOneSetting_AreNotServedUnderAnother_ButAreUnderTheSame(string setting)
    {
        await SaveAsync(7, configure: o => Use(o, setting, first: true), Entries.Instance("catalog-1"));

        await using (var other = NewHarness(o => Use(o, setting, first: false)))
        {
            var lookup = other.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
            (await other.Client.NextRequestAsync()).Fail(ConsulErrorReason.ConnectionFailed);
            await Assert.ThrowsAsync<ConsulException>(() => lookup.AsTask());
        }

        // The file still holds them, and the setting they were saved under still gets them.
        await using var same = NewHarness(o => Use(o, setting, first: true));
        var again = same.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken);
        (await same.Client.NextRequestAsync()).Fail(ConsulErrorReason.ConnectionFailed);
        Assert.True((await again).IsStale);

        static void Use(ConsulOptions o, string setting, bool first)
        {
            switch (setting)
            {
                case "Filter":
                    o.Discovery.Filter = first ? "Service.Meta.region == \"eu\"" : "Service.Meta.region == \"us\"";
                    break;
                case "Datacenter":
                    o.Discovery.Services["catalog"] = new ConsulServiceQueryOptions { Datacenter = first ? "dc1" : "dc2" };
                    break;
                case "TaggedAddress":
                    o.Discovery.TaggedAddress = first ? "wan" : "lan";
                    break;
                case "PassingOnly":
                    o.Discovery.PassingOnly = first;
                    break;
                default:
                    // With panic on, the saved list may hold failing instances: not for a process that turned it off.
                    o.Discovery.PanicThreshold = first ? 0.5 : 0;
                    break;
            }
        }
    }

    [Fact]
    public async Task BurstOfChanges_IsOneWrite_AfterTheDebounce_AndNoWriteWithoutChange()
    {
        await using var harness = NewHarness();
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));
        for (ulong index = 11; index <= 15; index++)
        {
            (await harness.Client.NextRequestAsync()).Respond(index, Entries.Instance("catalog-1"), Entries.Instance($"catalog-{index}"));
            await WaitForIndexAsync(harness, index);
        }

        Assert.False(File.Exists(SnapshotPath));
        harness.Time.Advance(DiscoverySnapshotStore.Debounce);
        var written = await File.ReadAllTextAsync(SnapshotPath, TestContext.Current.CancellationToken);
        Assert.Contains("\"Index\":15", written, StringComparison.Ordinal);
        Assert.Contains("catalog-15", written, StringComparison.Ordinal);
        Assert.DoesNotContain("catalog-14", written, StringComparison.Ordinal);

        // Nothing changed since: no further write (the file, removed, is not written again).
        File.Delete(SnapshotPath);
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(File.Exists(SnapshotPath));
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
    }

    [Fact]
    public async Task FailingWrite_IsLoggedOnce_LeavesNoTemporaryFile_AndDiscoveryGoesOn()
    {
        Directory.CreateDirectory(SnapshotPath); // the rename over it fails on every write
        await using var harness = NewHarness();
        await harness.FirstLookupAsync("catalog", 10, Entries.Instance("catalog-1"));
        harness.Time.Advance(DiscoverySnapshotStore.Debounce);
        (await harness.Client.NextRequestAsync()).Respond(11, Entries.Instance("catalog-2"));
        await WaitForIndexAsync(harness, 11);
        harness.Time.Advance(DiscoverySnapshotStore.Debounce);

        Assert.Single(harness.Logger.Collector.GetSnapshot(), r => r.Id.Name == "DiscoverySnapshotWriteFailed");
        Assert.Empty(Directory.GetFiles(_folder, "*.tmp"));
        Assert.Equal("catalog-2", Assert.Single(await harness.Discovery.GetInstancesAsync("catalog", TestContext.Current.CancellationToken)).Id);
    }

    [Fact]
    public async Task Write_KeepsOtherNamesSavedEarlier_AndNeverTheToken()
    {
        await SaveAsync(7, Entries.Instance("catalog-1"));
        await using (var harness = NewHarness(o => o.Token = "s3cr3t-token"))
        {
            await harness.FirstLookupAsync("orders", 3, Entries.Instance("orders-1", service: "orders"));
            harness.Time.Advance(DiscoverySnapshotStore.Debounce);
        }

        var text = await File.ReadAllTextAsync(SnapshotPath, TestContext.Current.CancellationToken);
        Assert.Contains("catalog-1", text, StringComparison.Ordinal);
        Assert.Contains("orders-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-token", text, StringComparison.Ordinal);
    }

    private DiscoveryHarness NewHarness(Action<ConsulOptions>? configure = null) => new(o =>
    {
        o.Discovery.SnapshotPath = SnapshotPath;
        configure?.Invoke(o);
    });

    /// <summary>A process that learns <c>catalog</c> from Consul, then stops (its disposal writes the file).</summary>
    private Task SaveAsync(ulong index, params ServiceEntry[] entries) => SaveAsync(index, configure: null, entries);

    /// <summary>As <see cref="SaveAsync(ulong, ServiceEntry[])"/>, the process running with <paramref name="configure"/>.</summary>
    private async Task SaveAsync(ulong index, Action<ConsulOptions>? configure, params ServiceEntry[] entries)
    {
        await using (var harness = NewHarness(configure))
        {
            await harness.FirstLookupAsync("catalog", index, entries);
        }

        Assert.True(File.Exists(SnapshotPath), "disposal writes what is pending");
    }

    private static async Task WaitForIndexAsync(DiscoveryHarness harness, ulong index) =>
        await Eventually.WaitAsync(() => harness.Discovery.TryGetCached("catalog", out var current) && current.Index == index, TimeSpan.FromSeconds(10));
}
