// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDiscovery.AspNetCore.Tests.Registration.Integration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Http.Integration;

/// <summary>
/// docs/multi-datacenter.md end to end: catalog runs in two datacenters, a caller in dc1 calls it under steady load
/// through the standard resilience handler; dc1's catalog turns critical, then passes again. Runs on two federated
/// test datacenters, or on a real Consul when <c>CONSUL_HTTP_ADDR</c> names an agent and <c>CONSUL_HTTP_ADDR_DC2</c>
/// an agent of another datacenter federated with it.
/// </summary>
public sealed class DatacenterFailoverIntegrationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task LocalInstancesCritical_CallsReachTheOtherDatacenter_AndReturn_WithoutAFailedCall()
    {
        await using var target = await TwoDatacenters.StartAsync();
        var name = $"catalog-{Guid.NewGuid():N}"[..20];
        await using var local = RegisteredApp.Create(target.Dc1, target.Token, name);
        await using var remote = RegisteredApp.Create(target.Dc2, target.Token, name);
        await local.App.StartAsync(Ct);
        await remote.App.StartAsync(Ct);
        await WaitForAsync(async () => await target.CheckStatusAsync(name, local.ServiceId, dc: null) == "passing"
            && await target.CheckStatusAsync(name, remote.ServiceId, target.Dc2Name) == "passing", "both catalog instances pass");

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = target.Dc1.ToString(),
            ["Consul:Token"] = target.Token,
            ["Consul:Discovery:Failover:Datacenters:0"] = target.Dc2Name,
        }).Build());
        services.AddLogging();
        var caller = services.AddHttpClient("caller");
        caller.AddStandardResilienceHandler();
        caller.AddConsulLoadBalancing();
        await using var provider = services.BuildServiceProvider();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("caller");
        await using var load = new WhoAnswers(http, new Uri($"http://{name}/whoami"));
        await load.WaitUntilAsync(local.ServiceId, after: 0);

        // dc1's only instance turns critical: calls move to dc2.
        var failing = load.Mark();
        local.Health = HealthStatus.Unhealthy;
        await WaitForAsync(async () => await target.CheckStatusAsync(name, local.ServiceId, dc: null) == "critical", "Consul shows dc1's instance critical");
        var criticalSeen = load.Mark();
        Assert.All(load.AnswersBetween(0, failing.Calls), id => Assert.Equal(local.ServiceId, id));

        // As on the way back, the first dc2 answer may come before the 10 ms poll saw the change.
        var toRemote = await load.WaitUntilAsync(remote.ServiceId, failing.Calls);

        // It passes again: calls come back to dc1.
        var flipped = load.Mark();
        local.Health = HealthStatus.Healthy;
        await WaitForAsync(async () => await target.CheckStatusAsync(name, local.ServiceId, dc: null) == "passing", "Consul shows dc1's instance passing");
        var passingSeen = load.Mark();

        // The cache is pushed, the test polls every 10 ms: the first dc1 answer may come before the poll saw the change.
        var toLocal = await load.WaitUntilAsync(local.ServiceId, flipped.Calls);
        await load.StopAsync();

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"dc1 -> {target.Dc2Name}: {(toRemote.At - criticalSeen.At).TotalMilliseconds:F0} ms after Consul showed critical; "
            + $"back to dc1: {(toLocal.At - passingSeen.At).TotalMilliseconds:F0} ms after Consul showed passing; {load.Total} calls, {load.Failed} failed.");
        Assert.True(load.Failed == 0, string.Join(Environment.NewLine, load.Errors));

        // The direction of each switch: after the move dc2 answered every call until dc1 passed again; after the return, dc1 did.
        Assert.All(load.AnswersBetween(toRemote.Calls, flipped.Calls), id => Assert.Equal(remote.ServiceId, id));
        Assert.All(load.AnswersBetween(toLocal.Calls, load.Total), id => Assert.Equal(local.ServiceId, id));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(deadline.Elapsed < Deadline, $"Not true within {Deadline}: {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(10), Ct);
        }
    }

    /// <summary>One call at a time, a few milliseconds apart, recording which instance answered each and every failure.</summary>
    private sealed class WhoAnswers : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly List<(string Id, TimeSpan At)> _answers = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly Task _loop;

        public WhoAnswers(HttpClient http, Uri uri) => _loop = Task.Run(() => RunAsync(http, uri));

        public int Failed { get; private set; }

        public List<string> Errors { get; } = [];

        public int Total
        {
            get
            {
                lock (_answers)
                {
                    return _answers.Count + Failed;
                }
            }
        }

        /// <summary>The call count and time now.</summary>
        public (int Calls, TimeSpan At) Mark()
        {
            lock (_answers)
            {
                return (_answers.Count, _clock.Elapsed);
            }
        }

        /// <summary>Waits for the first answer from <paramref name="id"/> after the first <paramref name="after"/> answers; returns its position and time.</summary>
        public async Task<(int Calls, TimeSpan At)> WaitUntilAsync(string id, int after)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                lock (_answers)
                {
                    for (var i = after; i < _answers.Count; i++)
                    {
                        if (_answers[i].Id == id)
                        {
                            return (i, _answers[i].At);
                        }
                    }
                }

                Assert.True(deadline.Elapsed < Deadline, $"No call reached {id} within {Deadline}.");
                await Task.Delay(TimeSpan.FromMilliseconds(5), Ct);
            }
        }

        public IReadOnlyList<string> AnswersBetween(int from, int to)
        {
            lock (_answers)
            {
                return [.. _answers.Skip(from).Take(Math.Min(to, _answers.Count) - from).Select(a => a.Id)];
            }
        }

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _loop;
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }

        private async Task RunAsync(HttpClient http, Uri uri)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var id = await http.GetStringAsync(uri, CancellationToken.None);
                    lock (_answers)
                    {
                        _answers.Add((id, _clock.Elapsed));
                    }
                }
#pragma warning disable CA1031 // Every failure the caller sees counts.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    lock (_answers)
                    {
                        Failed++;
                        Errors.Add($"{ex.GetType().Name}: {ex.Message}");
                    }
                }

                try
                {
                    await timer.WaitForNextTickAsync(_stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Two federated datacenters: test ones, or a real Consul's agents named by the environment.</summary>
    private sealed class TwoDatacenters : IAsyncDisposable
    {
        private readonly ConsulTestCluster? _cluster;

        private TwoDatacenters(Uri dc1, Uri dc2, string dc2Name, string? token, ConsulTestCluster? cluster)
        {
            Dc1 = dc1;
            Dc2 = dc2;
            Dc2Name = dc2Name;
            Token = token;
            _cluster = cluster;
        }

        public Uri Dc1 { get; }

        public Uri Dc2 { get; }

        public string Dc2Name { get; }

        public string? Token { get; }

        public static async Task<TwoDatacenters> StartAsync()
        {
            var token = Environment.GetEnvironmentVariable("CONSUL_HTTP_TOKEN");
            if (ConsulTarget.RealConsulAddress is { } real)
            {
                var other = Environment.GetEnvironmentVariable("CONSUL_HTTP_ADDR_DC2");
                Assert.SkipWhen(string.IsNullOrWhiteSpace(other), "CONSUL_HTTP_ADDR is set without CONSUL_HTTP_ADDR_DC2 (an agent of a second datacenter federated with it).");
                var dc2 = new Uri(other!.Contains("://", StringComparison.Ordinal) ? other : "http://" + other);
                return new TwoDatacenters(real, dc2, await DatacenterOfAsync(dc2, token), token, cluster: null);
            }

            var cluster = await ConsulTestCluster.StartDatacentersAsync(
                [new() { Name = "dc1" }, new() { Name = "dc2", WanPosition = new Vector2(30, 0) }],
                cancellationToken: Ct);
            return new TwoDatacenters(cluster.Agents[0].Address, cluster.Datacenters[1].Agents[0].Address, "dc2", token: null, cluster);
        }

        /// <summary>The check status of <paramref name="serviceId"/> as Consul's catalog shows it (through dc1's agent, <c>?dc=</c> for the other).</summary>
        public async Task<string?> CheckStatusAsync(string service, string serviceId, string? dc)
        {
            using var http = Http(Dc1);
            var entries = await http.GetFromJsonAsync<JsonElement>($"/v1/health/service/{service}" + (dc is null ? "" : $"?dc={dc}"), Ct);
            foreach (var entry in entries.EnumerateArray())
            {
                if (entry.GetProperty("Service").GetProperty("ID").GetString() == serviceId)
                {
                    var checks = entry.GetProperty("Checks").EnumerateArray().Where(c => c.GetProperty("ServiceID").GetString() == serviceId).ToList();
                    return checks.Count == 0 ? null : checks.All(c => c.GetProperty("Status").GetString() == "passing") ? "passing" : checks.Any(c => c.GetProperty("Status").GetString() == "critical") ? "critical" : "warning";
                }
            }

            return null;
        }

        public async ValueTask DisposeAsync()
        {
            if (_cluster is not null)
            {
                await _cluster.DisposeAsync();
            }
        }

        private HttpClient Http(Uri agent)
        {
            var http = new HttpClient { BaseAddress = agent };
            if (!string.IsNullOrEmpty(Token))
            {
                http.DefaultRequestHeaders.Add("X-Consul-Token", Token);
            }

            return http;
        }

        private static async Task<string> DatacenterOfAsync(Uri agent, string? token)
        {
            using var http = new HttpClient { BaseAddress = agent };
            if (!string.IsNullOrEmpty(token))
            {
                http.DefaultRequestHeaders.Add("X-Consul-Token", token);
            }

            var self = await http.GetFromJsonAsync<JsonElement>("/v1/agent/self", Ct);
            return self.GetProperty("Config").GetProperty("Datacenter").GetString()!;
        }
    }
}
