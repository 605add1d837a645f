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
            elections[i] = await StartInstanceAsync();
        }

        return elections;
    }

    /// <summary>Starts one instance; <paramref name="changes"/>, when given, records its leadership changes from before it starts.</summary>
    private async Task<IConsulLeaderElection> StartInstanceAsync(List<bool>? changes = null)
    {
        var host = CoordinationHost.Build(_consul, services => services.AddConsulLeaderElection(_election, o => o.SessionTtl = TimeSpan.FromSeconds(10)));
        _hosts.Add(host);
        var election = host.Services.GetRequiredKeyedService<IConsulLeaderElection>(_election);
        if (changes is not null)
        {
            election.LeadershipChanged += (_, e) =>
            {
                lock (changes)
                {
                    changes.Add(e.IsLeader);
                }
            };
        }

        await host.StartAsync(TestContext.Current.CancellationToken);
        return election;
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

    [Theory]
    [InlineData("delete")]
    [InlineData("release")]
    public async Task A_leader_whose_key_an_operator_takes_away_ends_its_term_promptly(string how)
    {
        var changes = new List<bool>();
        var election = await StartInstanceAsync(changes);
        var term = await election.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        using var consul = new ConsulOperator(_consul);
        var holder = (await consul.GetAsync(election.Key))?.Session;
        Assert.NotNull(holder);

        await (how == "delete" ? consul.DeleteAsync(election.Key) : consul.ReleaseAsync(election.Key, holder));

        // The session is still renewed: only the key watch can tell. The instance may then campaign and lead again, in a new term.
        await Eventually.WaitAsync(() => term.IsCancellationRequested, TimeSpan.FromSeconds(5), "the term ended");
        await Eventually.WaitAsync(
            () =>
            {
                lock (changes)
                {
                    return changes.Count >= 2;
                }
            },
            Deadline,
            "the step-down was reported");
        lock (changes)
        {
            Assert.Equal([true, false], changes.Take(2).ToArray());
        }
    }

    [Fact]
    public async Task The_change_notification_reports_becoming_leader_and_stepping_down()
    {
        var changes = new List<bool>();
        var election = await StartInstanceAsync(changes);
        await election.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        await _hosts[0].StopAsync(TestContext.Current.CancellationToken);

        lock (changes)
        {
            Assert.Equal([true, false], changes);
        }
    }
}
