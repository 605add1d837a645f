// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>Election and lock settings bound from <c>Consul:Coordination</c>, overridden by code, validated at start-up naming the key.</summary>
public sealed class CoordinationConfigurationTests
{
    private static IHost Build(Dictionary<string, string?> settings, Action<IServiceCollection> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        settings["Consul:Address"] = "http://127.0.0.1:8500";
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        configure(builder.Services);
        return builder.Build();
    }

    [Fact]
    public void Election_and_lock_settings_are_bound_from_configuration_and_code_overrides_them()
    {
        using var host = Build(
            new()
            {
                ["Consul:Coordination:Elections:nightly-report:SessionTtl"] = "00:00:30",
                ["Consul:Coordination:Elections:nightly-report:LockDelay"] = "00:00:02",
                ["Consul:Coordination:Elections:nightly-report:Key"] = "jobs/nightly/leader",
                ["Consul:Coordination:Elections:other:SessionTtl"] = "00:00:40",
                ["Consul:Coordination:Locks:KeyPrefix"] = "locks/orders/",
                ["Consul:Coordination:Locks:StepDownAfter"] = "00:00:05",
            },
            services =>
            {
                services.AddConsulLeaderElection("nightly-report", o => o.LockDelay = TimeSpan.FromSeconds(1));
                services.AddConsulLocks();
            });

        var election = host.Services.GetRequiredService<IOptionsMonitor<ConsulLeaderElectionOptions>>().Get("nightly-report");
        Assert.Equal(TimeSpan.FromSeconds(30), election.SessionTtl);
        Assert.Equal(TimeSpan.FromSeconds(1), election.LockDelay); // The code delegate runs after the binding.
        Assert.Equal("jobs/nightly/leader", election.Key);
        Assert.Equal("jobs/nightly/leader", host.Services.GetRequiredKeyedService<IConsulLeaderElection>("nightly-report").Key);

        var locks = host.Services.GetRequiredService<IOptions<ConsulLockOptions>>().Value;
        Assert.Equal("locks/orders/", locks.KeyPrefix);
        Assert.Equal(TimeSpan.FromSeconds(5), locks.StepDownAfter);
    }

    [Theory]
    [InlineData("Consul:Coordination:Elections:nightly-report:SessionTtl", "00:00:05", "Leader election 'nightly-report' (Consul:Coordination:Elections:nightly-report): SessionTtl is 00:00:05")]
    [InlineData("Consul:Coordination:Locks:LockDelay", "00:02:00", "Consul locks (Consul:Coordination:Locks): LockDelay is 00:02:00")]
    public async Task A_bad_value_stops_the_host_with_a_message_naming_the_key(string key, string value, string expected)
    {
        using var host = Build(new() { [key] = value }, services => services.AddConsulLeaderElection("nightly-report").AddConsulLocks());

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
