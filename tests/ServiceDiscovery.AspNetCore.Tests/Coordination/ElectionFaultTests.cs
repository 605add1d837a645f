// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Tests.Fakes;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>
/// An election whose token Consul denies (403) backs off like every other loop, and its health check says so; a
/// misspelled election name in configuration is warned about with the nearest registered one. Fakes and a fake clock.
/// </summary>
public sealed class ElectionFaultTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new();
    private readonly DeniedKeyValueApi _kv = new();
    private ServiceProvider? _provider;

    public async ValueTask DisposeAsync()
    {
        if (_provider is not null)
        {
            foreach (var hosted in _provider.GetServices<IHostedService>())
            {
                await hosted.StopAsync(CancellationToken.None);
            }

            await _provider.DisposeAsync();
        }
    }

    private ServiceProvider Build(Dictionary<string, string?>? configuration = null, params string[] elections)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(configuration ?? []).Build());
        services.AddLogging(builder => builder.SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
        services.AddSingleton<TimeProvider>(_time);
        foreach (var election in elections)
        {
            services.AddConsulLeaderElection(election);
        }

        services.AddHealthChecks().AddConsulLeadership(elections[0]);
        services.Replace(ServiceDescriptor.Singleton<IConsulSessionApi>(new FakeConsulSessionApi()));
        services.Replace(ServiceDescriptor.Singleton<IConsulKeyValueApi>(_kv));
        return _provider = services.BuildServiceProvider();
    }

    private static async Task StartAsync(IServiceProvider provider)
    {
        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task A_denied_campaign_backs_off_doubling_to_a_minute_with_one_warning_per_attempt_naming_the_acl_rules()
    {
        var provider = Build(elections: "nightly-report");
        await StartAsync(provider);
        var logs = provider.GetFakeLogCollector();
        var delays = new List<TimeSpan>();

        for (var attempt = 1; attempt <= 8; attempt++)
        {
            var expected = attempt;
            await Eventually.WaitAsync(() => logs.GetSnapshot().Count(r => r.Id.Name == "ConsulLeaderElectionDenied") >= expected, Deadline, $"denied campaign {expected}");
            var record = logs.GetSnapshot().Where(r => r.Id.Name == "ConsulLeaderElectionDenied").ElementAt(expected - 1);
            var delay = TimeSpan.Parse(record.StructuredState!.Single(p => p.Key == "RetryDelay").Value!, System.Globalization.CultureInfo.InvariantCulture);
            delays.Add(delay);
            Assert.Equal(LogLevel.Warning, record.Level);
            Assert.Contains("key:write", record.Message, StringComparison.Ordinal);
            Assert.Contains("session:write", record.Message, StringComparison.Ordinal);
            if (attempt < 8)
            {
                // The eighth delay is left running, so no ninth attempt can start before the counts below are read.
                _time.Advance(delay);
            }
        }

        // Equal jitter: each delay is within [half, all] of 2 s doubled per failure, capped at 1 minute.
        for (var i = 0; i < delays.Count; i++)
        {
            var step = TimeSpan.FromSeconds(Math.Min(2 * Math.Pow(2, i), 60));
            Assert.InRange(delays[i], step / 2, step);
        }

        Assert.Equal(8, _kv.Acquires);
        var health = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);
        var entry = health.Entries["consul-leadership-nightly-report"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("follower", entry.Data["role"]);
        Assert.Contains("denied", entry.Description, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_misspelled_election_section_is_warned_about_with_the_nearest_registered_name()
    {
        var provider = Build(
            new Dictionary<string, string?>
            {
                ["Consul:Coordination:Elections:nightly-reprot:SessionTtl"] = "00:00:30",
                ["Consul:Coordination:Elections:billing:SessionTtl"] = "00:00:30",
            },
            "nightly-report",
            "billing");

        await StartAsync(provider);

        var warning = Assert.Single(provider.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "ConsulUnknownElection");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Consul:Coordination:Elections:nightly-reprot", warning.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'nightly-report'?", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_health_check_reports_unhealthy_when_the_election_is_not_running()
    {
        var provider = Build(elections: "nightly-report");

        var health = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, health.Entries["consul-leadership-nightly-report"].Status);
    }

    [Fact]
    public void The_health_check_of_an_election_the_app_does_not_register_names_the_fix()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddConsulLeaderElection("nightly-report");
        services.AddHealthChecks().AddConsulLeadership("nightly-reprot");
        using var provider = services.BuildServiceProvider();
        var registration = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single();

        var error = Assert.Throws<InvalidOperationException>(() => registration.Factory(provider));

        Assert.Contains("AddConsulLeaderElection(\"nightly-reprot\")", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A KV API whose every call Consul answers 403, as for a token without <c>key:write</c> on the election key.</summary>
    private sealed class DeniedKeyValueApi : IConsulKeyValueApi
    {
        private int _acquires;

        public Uri Address { get; } = new("http://127.0.0.1:8500/");

        public int Acquires => Volatile.Read(ref _acquires);

        public Task<bool> AcquireKeyAsync(string key, ReadOnlyMemory<byte> value, string sessionId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _acquires);
            return Task.FromException<bool>(Denied());
        }

        public Task<QueryResult<KVPair?>> GetKeyAsync(string key, QueryOptions options, CancellationToken cancellationToken) => Task.FromException<QueryResult<KVPair?>>(Denied());

        public Task<QueryResult<IReadOnlyList<KVPair>>> ListKeysAsync(string prefix, QueryOptions options, CancellationToken cancellationToken) => Task.FromException<QueryResult<IReadOnlyList<KVPair>>>(Denied());

        public Task<QueryResult<IReadOnlyList<string>>> GetKeyNamesAsync(string prefix, string? separator, QueryOptions options, CancellationToken cancellationToken) => Task.FromException<QueryResult<IReadOnlyList<string>>>(Denied());

        public Task<bool> PutKeyAsync(string key, ReadOnlyMemory<byte> value, ulong? cas, ulong? flags, CancellationToken cancellationToken) => Task.FromException<bool>(Denied());

        public Task<bool> DeleteKeyAsync(string key, bool recurse, ulong? cas, CancellationToken cancellationToken) => Task.FromException<bool>(Denied());

        public Task<bool> ReleaseKeyAsync(string key, ReadOnlyMemory<byte> value, string sessionId, CancellationToken cancellationToken) => Task.FromException<bool>(Denied());

        private static ConsulException Denied() => new("Consul answered 403 Forbidden: Permission denied", ConsulErrorReason.ApiError, HttpStatusCode.Forbidden, "Permission denied");
    }
}
