// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>Leader elections among app instances against the test agent (or the real Consul of <c>CONSUL_HTTP_ADDR</c>).</summary>
public sealed class LeaderElectionIntegrationTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly List<IHost> _hosts = [];
    private ConsulTarget _consul = null!;
    private string _election = null!;

    public async ValueTask InitializeAsync()
    {
        _consul = await ConsulTarget.StartAsync();
        _election = _consul.ServiceName("nightly-report");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync(CancellationToken.None);
            host.Dispose();
        }

        await _consul.DisposeAsync();
    }

    private async Task<IConsulLeaderElection[]> StartInstancesAsync(int count)
    {
        var elections = new IConsulLeaderElection[count];
        for (var i = 0; i < count; i++)
        {
            var host = CoordinationHost.Build(_consul, services => services.AddConsulLeaderElection(_election, o => o.SessionTtl = TimeSpan.FromSeconds(10)));
            _hosts.Add(host);
            await host.StartAsync(TestContext.Current.CancellationToken);
            elections[i] = host.Services.GetRequiredKeyedService<IConsulLeaderElection>(_election);
        }

        return elections;
    }

    [Fact]
    public async Task Exactly_one_of_three_instances_leads()
    {
        var elections = await StartInstancesAsync(3);

        await Eventually.WaitAsync(() => elections.Any(e => e.IsLeader), Deadline, "one instance leads");

        // Followers stay followers while the leader renews: watch for a while of real renewals, counting leaders.
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(1))
        {
            Assert.Equal(1, elections.Count(e => e.IsLeader));
            await Task.Yield();
        }
    }

    [Fact]
    public async Task A_leader_that_stops_gracefully_hands_over_within_one_second()
    {
        var elections = await StartInstancesAsync(3);
        await Eventually.WaitAsync(() => elections.Any(e => e.IsLeader), Deadline, "one instance leads");
        var leader = Array.FindIndex(elections, e => e.IsLeader);
        var term = elections[leader].LeadershipToken;
        var others = elections.Where((_, i) => i != leader).ToArray();
        var next = Task.WhenAny(others.Select(e => e.WaitForLeadershipAsync(TestContext.Current.CancellationToken)));

        var stopped = Stopwatch.StartNew();
        await _hosts[leader].StopAsync(TestContext.Current.CancellationToken);
        await next.WaitAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        var handOver = stopped.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine($"hand-over after graceful stop: {handOver.TotalMilliseconds:F0} ms");

        Assert.True(term.IsCancellationRequested, "the old leader's token fired");
        Assert.False(elections[leader].IsLeader);
        Assert.Equal(1, others.Count(e => e.IsLeader));
        Assert.True(handOver < TimeSpan.FromSeconds(1), $"hand-over took {handOver}");
    }

    [Fact]
    public async Task The_change_notification_reports_becoming_leader_and_stepping_down()
    {
        var host = CoordinationHost.Build(_consul, services => services.AddConsulLeaderElection(_election, o => o.SessionTtl = TimeSpan.FromSeconds(10)));
        _hosts.Add(host);
        var election = host.Services.GetRequiredKeyedService<IConsulLeaderElection>(_election);
        var changes = new List<bool>();
        election.LeadershipChanged += (_, e) =>
        {
            lock (changes)
            {
                changes.Add(e.IsLeader);
            }
        };

        await host.StartAsync(TestContext.Current.CancellationToken);
        await election.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        lock (changes)
        {
            Assert.Equal([true, false], changes);
        }
    }
}
