// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Tests.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// A <see cref="DiscoveryHarness"/> in datacenter mode: the fakes' <c>/v1/health/state/any</c> and
/// <c>/v1/catalog/services</c> are the two blocking queries, and every <c>/v1/health/service/{name}</c> read is
/// answered at once from <see cref="Instances"/> and counted per name.
/// </summary>
internal sealed class DatacenterHarness : IAsyncDisposable
{
    public static readonly TimeSpan MinimumQueryInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(800);

    /// <summary>What a read answers by default: below the queries' indexes (10 and up), so no read is ahead of them.</summary>
    private const ulong ReadIndexBelowTheQueries = 5;

    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);

    public DatacenterHarness()
    {
        Harness = new DiscoveryHarness(
            o =>
            {
                o.Discovery.WatchMode = ConsulWatchMode.Datacenter;
                o.Discovery.MinimumQueryInterval = MinimumQueryInterval;
                o.Discovery.RetryDelay = RetryDelay;
                o.Discovery.MaxRetryDelay = MaxRetryDelay;
                o.Discovery.VoidGracePeriod = TimeSpan.Zero;
                o.Discovery.PanicThreshold = 0;
            },
            catalog: Catalog);
        Harness.Client.Handler = request =>
        {
            _reads.AddOrUpdate(request.Service, 1, static (_, n) => n + 1);
            IReadOnlyList<ServiceEntry> entries = Instances.TryGetValue(request.Service, out var found) ? found : [];
            var index = ReadIndex?.Invoke(request.Service) ?? ReadIndexBelowTheQueries;
            return Task.FromResult(new QueryResult<IReadOnlyList<ServiceEntry>>(entries, index, KnownLeader: true, LastContact: TimeSpan.Zero));
        };
    }

    public DiscoveryHarness Harness { get; }

    public FakeConsulCatalogApi Catalog { get; } = new();

    public FakeBlockingQuery<IReadOnlyList<HealthCheck>> State => Harness.Client.State;

    public FakeBlockingQuery<IReadOnlyDictionary<string, IReadOnlyList<string>>> Services => Catalog.Services;

    public ObservableFakeTimeProvider Time => Harness.Time;

    /// <summary>Gets what each name's read answers (no entry: no instance).</summary>
    public ConcurrentDictionary<string, ServiceEntry[]> Instances { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets the index a name's read answers with (unset: 5, below the queries' indexes).</summary>
    public Func<string, ulong>? ReadIndex { get; set; }

    /// <summary>Reads of <c>/v1/health/service/{name}</c> so far.</summary>
    public int Reads(string name) => _reads.GetValueOrDefault(name);

    /// <summary>A service check of <paramref name="name"/>'s one instance, as <c>/v1/health/state/any</c> lists it.</summary>
    public static HealthCheck Check(string name, string status = "passing", ulong modifyIndex = 5) => new()
    {
        Node = "node1",
        CheckID = $"service:{name}-1",
        Name = $"Service '{name}' check",
        Status = status,
        ServiceID = name + "-1",
        ServiceName = name,
        ModifyIndex = modifyIndex,
    };

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Names(params string[] names) =>
        names.ToDictionary(n => n, IReadOnlyList<string> (_) => [], StringComparer.Ordinal);

    /// <summary>
    /// Both queries at index 10 (<paramref name="checks"/>, <paramref name="services"/>); every name of
    /// <paramref name="services"/> looked up (one instance each) while the queries are held, then the queries let
    /// through. Returns once every name was read twice (once at its lookup, once more after both queries first
    /// answered) and both queries block at index 10.
    /// </summary>
    public async Task StartAsync(IReadOnlyList<HealthCheck> checks, IReadOnlyDictionary<string, IReadOnlyList<string>> services, ulong stateIndex = 10)
    {
        State.Close();
        Services.Close();
        State.Set(stateIndex, checks);
        Services.Set(10, services);
        foreach (var name in services.Keys)
        {
            Instances[name] = [Entries.Instance(name + "-1", service: name)];
            var instances = await Harness.Discovery.GetInstancesAsync(name, TestContext.Current.CancellationToken);
            Assert.Single(instances);
        }

        State.Open();
        Services.Open();
        await DiscoveryEventually.UntilAsync(() => services.Keys.All(n => Reads(n) == 2), "every name was read again after the first answers");
        await BlockingAsync(State, Math.Max(stateIndex, 1)); // an index 0 is asked for as 1
        await BlockingAsync(Services, 10);
    }

    /// <summary>Waits until <paramref name="query"/> holds a request for <paramref name="index"/> (the watch blocks on it).</summary>
    public static Task BlockingAsync<T>(FakeBlockingQuery<T> query, ulong index) =>
        DiscoveryEventually.UntilAsync(() => query.HeldCount == 1 && query.Requests[^1].Index == index, $"the watch blocks at index {index}");

    /// <summary>Waits until the watch parks in a delay of <paramref name="due"/> (other delays are skipped).</summary>
    public async Task DelayAsync(TimeSpan due)
    {
        while (await Time.NextDelayAsync() != due)
        {
        }
    }

    public ValueTask<ConsulServiceInstances> LookupAsync(string name) => Harness.Discovery.GetInstancesAsync(name, TestContext.Current.CancellationToken);

    public ValueTask DisposeAsync() => Harness.DisposeAsync();
}
