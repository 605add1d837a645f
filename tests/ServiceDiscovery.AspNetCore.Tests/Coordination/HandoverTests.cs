// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>
/// Graceful hand-over: a leader releases leadership when shutdown starts (ApplicationStopping), not after the other
/// hosted services' stopping work (registration's HTTP drain is one), so the next leader takes over during the drain.
/// Against the test agent or the real Consul of <c>CONSUL_HTTP_ADDR</c>.
/// </summary>
public sealed class HandoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly List<IHost> _hosts = [];
    private ConsulTarget _consul = null!;
    private string _election = null!;

    public async ValueTask InitializeAsync()
    {
        _consul = await ConsulTarget.StartAsync();
        _election = _consul.ServiceName("handover");
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

    private async Task<(IHost Host, IConsulLeaderElection Election)> StartAsync(Action<IServiceCollection>? configure = null)
    {
        var host = CoordinationHost.Build(_consul, services =>
        {
            services.AddConsulLeaderElection(_election, o => o.SessionTtl = TimeSpan.FromSeconds(10));
            services.AddHealthChecks().AddConsulLeadership(_election);
            configure?.Invoke(services);
        });
        _hosts.Add(host);
        await host.StartAsync(TestContext.Current.CancellationToken);
        return (host, host.Services.GetRequiredKeyedService<IConsulLeaderElection>(_election));
    }

    [Fact]
    public async Task Leadership_passes_to_the_next_instance_while_the_stopping_leader_is_still_draining()
    {
        // A stand-in for the HTTP drain: stopping work that lasts until the follower leads (or the deadline passes).
        var drain = new DrainUntil();
        var (leaderHost, leader) = await StartAsync(services => services.AddSingleton<IHostedService>(drain));
        await leader.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        var (_, follower) = await StartAsync();
        drain.Until = () => follower.IsLeader;

        // As on SIGTERM or Ctrl+C: the lifetime signals ApplicationStopping, then the host stops its services.
        var stopping = Stopwatch.StartNew();
        leaderHost.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await leaderHost.StopAsync(TestContext.Current.CancellationToken);

        Assert.True(drain.ConditionMet, "the follower did not lead while the stopping leader was still draining");
        output.WriteLine($"hand-over during shutdown: the follower led {drain.MetAfter.TotalMilliseconds:F0} ms after shutdown started; the drain ended there.");
        Assert.True(follower.IsLeader);
        Assert.False(leader.IsLeader);
        Assert.True(stopping.Elapsed < Deadline);
    }

    [Fact]
    public async Task The_leadership_health_check_is_healthy_for_leader_and_follower_and_says_which()
    {
        var (leaderHost, leader) = await StartAsync();
        await leader.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);
        var (followerHost, _) = await StartAsync();

        var leading = (await leaderHost.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken)).Entries.Single().Value;
        var following = (await followerHost.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken)).Entries.Single().Value;

        Assert.Equal(HealthStatus.Healthy, leading.Status);
        Assert.Equal("leader", leading.Data["role"]);
        Assert.Equal(leader.FencingToken, leading.Data["fencingToken"]);
        Assert.Equal(HealthStatus.Healthy, following.Status);
        Assert.Equal("follower", following.Data["role"]);
        Assert.False(following.Data.ContainsKey("fencingToken"));

        await leaderHost.StopAsync(TestContext.Current.CancellationToken);
        var stopped = (await leaderHost.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken)).Entries.Single().Value;
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
    }

    /// <summary>Stopping work, like registration's drain, that waits for a condition (polled) up to a deadline.</summary>
    private sealed class DrainUntil : IHostedLifecycleService
    {
        public Func<bool> Until { get; set; } = static () => false;

        public bool ConditionMet { get; private set; }

        public TimeSpan MetAfter { get; private set; }

        public async Task StoppingAsync(CancellationToken cancellationToken)
        {
            var watch = Stopwatch.StartNew();
            while (!(ConditionMet = Until()) && watch.Elapsed < Deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10), CancellationToken.None);
            }

            MetAfter = watch.Elapsed;
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
