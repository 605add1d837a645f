// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using ServiceDiscovery.AspNetCore;

namespace Demo;

/// <summary>
/// The leader-election step: three orders-like instances campaign for one election, as samples/Orders.Api does for
/// its reconciliation job; only the leader runs the job. The leader stops gracefully (its term ends, it releases the
/// key) and the step measures how long until another instance leads and runs the job.
/// </summary>
internal static class LeaderHandOverStep
{
    private const string Election = "demo-orders-reconciliation";

    /// <summary>Runs the step; returns the line to print. Throws <see cref="DemoStepFailedException"/> when the hand-over takes 1 s or more.</summary>
    public static async Task<string> RunAsync(Uri consul, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var instances = new List<IHost>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = consul.ToString() });
                builder.Services.AddLogging();
                builder.Services.AddConsulLeaderElection(Election, o => o.Value = $"orders-{i + 1}");
                builder.Services.AddSingleton<JobRuns>();
                builder.Services.AddHostedService<LeaderOnlyJob>();
                var host = builder.Build();
                instances.Add(host);
                await host.StartAsync(cancellationToken);
            }

            var elections = instances.Select(h => h.Services.GetRequiredKeyedService<IConsulLeaderElection>(Election)).ToArray();
            var leader = Array.FindIndex(await WhenOneLeadsAsync(elections, timeout, cancellationToken), led => led);
            var others = Enumerable.Range(0, elections.Length).Where(i => i != leader).ToArray();
            var next = Task.WhenAny(others.Select(i => elections[i].WaitForLeadershipAsync(cancellationToken)));

            var handOver = Stopwatch.StartNew();
            await instances[leader].StopAsync(cancellationToken);
            await next.WaitAsync(timeout, cancellationToken);
            var took = handOver.Elapsed;
            var successor = others.Single(i => elections[i].IsLeader);
            var runs = instances[successor].Services.GetRequiredService<JobRuns>();
            await runs.Started.Task.WaitAsync(timeout, cancellationToken);
            if (took >= TimeSpan.FromSeconds(1))
            {
                throw new DemoStepFailedException($"the hand-over took {took.TotalMilliseconds:F0} ms; the target is under 1 s");
            }

            return $"orders-{leader + 1} led the reconciliation job among three instances and stopped gracefully: orders-{successor + 1} "
                + $"led {took.TotalMilliseconds:F0} ms later and ran the job.";
        }
        finally
        {
            foreach (var host in instances)
            {
                await host.StopAsync(CancellationToken.None);
                host.Dispose();
            }
        }
    }

    private static async Task<bool[]> WhenOneLeadsAsync(IConsulLeaderElection[] elections, TimeSpan timeout, CancellationToken cancellationToken)
    {
        await Task.WhenAny(elections.Select(e => e.WaitForLeadershipAsync(cancellationToken))).WaitAsync(timeout, cancellationToken);
        var leading = elections.Select(e => e.IsLeader).ToArray();
        return leading.Count(l => l) == 1 ? leading : throw new DemoStepFailedException($"{leading.Count(l => l)} instances lead at once");
    }

    /// <summary>Whether this instance's leader-only job has started a run.</summary>
    private sealed class JobRuns
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>The leader-only job: runs while this instance leads, its token fires when the term ends.</summary>
    private sealed class LeaderOnlyJob([FromKeyedServices(Election)] IConsulLeaderElection election, JobRuns runs)
        : ConsulLeaderBackgroundService(election)
    {
        protected override async Task ExecuteAsLeaderAsync(CancellationToken leadershipToken)
        {
            runs.Started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, leadershipToken).ConfigureAwait(false);
        }
    }
}
