// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Configuration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Configuration;

/// <summary>The opt-in snapshot file: written from live values, a cold start from it while Consul is unreachable.</summary>
public sealed class KeyValueSnapshotTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "kv-snapshot-" + Guid.NewGuid().ToString("N"));

    private string SnapshotPath => Path.Combine(_folder, "nested", "orders.kv.json");

    [Fact]
    public async Task LiveValues_AreWritten_WithoutTheToken()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/Features/NewPricing", "true");

        using (Build(consul, kv, token: "token-that-must-not-be-saved"))
        {
            Assert.True(File.Exists(SnapshotPath));
        }

        var text = await File.ReadAllTextAsync(SnapshotPath, TestContext.Current.CancellationToken);
        Assert.Contains("\"Features:NewPricing\": \"true\"", text, StringComparison.Ordinal);
        Assert.Contains($"{kv.Root}/orders/", text, StringComparison.Ordinal);
        Assert.DoesNotContain("token-that-must-not-be-saved", text, StringComparison.Ordinal);
        Assert.DoesNotContain(consul.Address.Authority, text, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(SnapshotPath)!, "*.tmp"));
    }

    [Fact]
    public async Task ConsulDown_Required_StartsFromSnapshot_ReportsItsAge_ThenLiveValuesReplaceIt()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var agent = consul.RequireTestAgent("stops and restarts the agent's listener");
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/Features/NewPricing", "from-snapshot");

        // The snapshot is written two hours "ago" on a fake clock, so its age is unmistakable below.
        var twoHoursAgo = new FakeTimeProvider(TimeProvider.System.GetUtcNow() - TimeSpan.FromHours(2));
        using (Build(consul, kv, o => o.TimeProvider = twoHoursAgo))
        {
        }

        await kv.PutAsync("orders/Features/NewPricing", "live");
        await agent.StopAcceptingAsync(TestContext.Current.CancellationToken);

        using var logs = new FakeLoggerProvider();
        using var loggerFactory = new LoggerFactory([logs]);
        using var configuration = Build(consul, kv, o => o.LoggerFactory = loggerFactory); // required (Optional = false)

        Assert.Equal("from-snapshot", configuration["Features:NewPricing"]);
        var fromSnapshot = logs.Collector.GetSnapshot().Where(r => r.Id.Name == "ConsulKeyValueStartedFromSnapshot").ToList();
        Assert.Equal(3, fromSnapshot.Count); // one per prefix
        Assert.All(fromSnapshot, r =>
        {
            Assert.Equal(SnapshotPath, r.GetStructuredStateValue("SnapshotPath"));
            Assert.True(TimeSpan.Parse(r.GetStructuredStateValue("Age")!, CultureInfo.InvariantCulture) >= TimeSpan.FromHours(2));
        });

        // This source's own meter: sources built by other tests in the process report on theirs.
        using var ages = new MetricCollector<double>(configuration.Providers.OfType<ConsulKeyValueConfigurationProvider>().Single().Meter, "consul.config.snapshot.age");
        ages.RecordObservableInstruments();
        var age = TimeSpan.FromSeconds(Assert.Single(ages.GetMeasurementSnapshot()).Value);
        Assert.InRange(age, TimeSpan.FromHours(2), TimeSpan.FromHours(2) + TimeSpan.FromMinutes(10)); // saved on the fake clock, read on the real one

        var reloaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        configuration.GetReloadToken().RegisterChangeCallback(_ => reloaded.TrySetResult(), null);
        await agent.StartAcceptingAsync(TestContext.Current.CancellationToken);
        await Eventually.WaitAsync(() => configuration["Features:NewPricing"] == "live", Deadline, "live values replace the snapshot's");

        // The provider publishes the values, then fires the reload token: wait for the token rather than race it.
        await reloaded.Task.WaitAsync(Deadline, TestContext.Current.CancellationToken);
        await Eventually.WaitAsync(
            () => File.ReadAllText(SnapshotPath).Contains("\"live\"", StringComparison.Ordinal), Deadline, "the snapshot is rewritten from the live values");

        // Rewritten means every prefix is live: the gauge is absent, not stuck at the old age.
        ages.Clear();
        ages.RecordObservableInstruments();
        Assert.Empty(ages.GetMeasurementSnapshot());
    }

    [Fact]
    public void UnreadableSnapshot_Required_StillFailsNamingTheAddress()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(SnapshotPath)!);
        File.WriteAllText(SnapshotPath, "{ not json");
        var address = "http://127.0.0.1:1";

        var error = Assert.Throws<InvalidOperationException>(() => new ConfigurationBuilder()
            .AddConsulConnection(address, timeout: TimeSpan.FromSeconds(2))
            .AddConsulKeyValue(o => { o.ApplicationName = "orders"; o.SnapshotPath = SnapshotPath; })
            .Build());

        Assert.Contains(address, error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private ConfigurationRoot Build(ConsulTarget consul, KeyValueStore kv, Action<ConsulKeyValueConfigurationOptions>? configure = null, string? token = null)
        => ConsulKeyValueConfigurationTests.Build(
            consul,
            kv,
            o =>
            {
                o.SnapshotPath = SnapshotPath;
                configure?.Invoke(o);
            },
            token);
}
