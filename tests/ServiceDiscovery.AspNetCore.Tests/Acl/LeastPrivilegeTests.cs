// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Tests.Registration.Integration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Acl;

/// <summary>
/// Each feature runs with a token holding exactly the policy docs/operations.md gives for it, under default deny, and
/// works; then without each one of its rules, and fails with an error that names the permission that rule grants.
/// </summary>
public sealed class LeastPrivilegeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public Task Registration() => ProveAsync("registration", async (target, token) =>
    {
        await using var app = await RegisteredApp.StartAsync(target.Consul, "orders", new() { ["Consul:Token"] = token });
        string? failure = null;
        await Eventually.WaitAsync(async () =>
        {
            failure = app.Logs.GetSnapshot().FirstOrDefault(r => r.Message.Contains("Permission denied", StringComparison.Ordinal))?.Message;
            return failure is not null || (await target.Consul.GetStateAsync(Ct)).Services.Any(s => s.Name == "orders");
        }, Deadline, "the app registers or reports the denial");
        return failure;
    });

    [Fact]
    public Task Discovery() => ProveDiscoveryAsync("discovery", "PerService");

    [Fact]
    public Task DatacenterWatch() => ProveDiscoveryAsync("datacenter-watch", "Datacenter");

    [Fact]
    public Task KeyValueConfiguration() => ProveAsync("kv-configuration", async (target, token) =>
    {
        await target.PutRawAsync("/v1/kv/config/orders/Features/Pricing", "on");
        await target.PutRawAsync("/v1/kv/config/application/Features/Banner", "shared");
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddConsulConnection(target.Consul.Address.ToString(), token)
                .AddConsulKeyValue(o => { o.ApplicationName = "orders"; o.Environment = "Production"; })
                .Build();
            Assert.Equal("on", configuration["Features:Pricing"]);
            Assert.Equal("shared", configuration["Features:Banner"]);
            (configuration as IDisposable)?.Dispose();
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    });

    [Fact]
    public Task LeaderElection() => ProveAsync("leader-election", async (target, token) =>
    {
        using var host = Host(target, token, services => services.AddConsulLeaderElection("nightly-report"));
        var election = host.Services.GetRequiredKeyedService<IConsulLeaderElection>("nightly-report");
        await host.StartAsync(Ct);
        var logs = host.Services.GetFakeLogCollector();
        string? failure = null;
        await Eventually.WaitAsync(() =>
        {
            failure = logs.GetSnapshot().FirstOrDefault(r => r.Message.Contains("Permission denied", StringComparison.Ordinal))?.Message;
            return failure is not null || election.IsLeader;
        }, Deadline, "the instance leads or reports the denial");
        await host.StopAsync(Ct);
        return failure;
    });

    [Fact]
    public Task Locks() => ProveAsync("locks", async (target, token) =>
    {
        using var host = Host(target, token, services => services.AddConsulLocks(o => o.KeyPrefix = "locks/"));
        await host.StartAsync(Ct);
        try
        {
            await using var handle = await host.Services.GetRequiredService<IConsulLockProvider>().AcquireAsync("orders", Deadline, Ct);
            return null;
        }
        catch (Exception e) when (e is ConsulException or InvalidOperationException)
        {
            return e.Message;
        }
        finally
        {
            await host.StopAsync(Ct);
        }
    });

    private static Task ProveDiscoveryAsync(string feature, string watchMode) => ProveAsync(feature, async (target, token) =>
    {
        await target.PutRawAsync("/v1/agent/service/register", """{"Name":"catalog","ID":"catalog-1","Port":8080}""");
        using var host = Host(target, token, services => services.AddConsulDiscoveryCache(), new() { ["Consul:Discovery:WatchMode"] = watchMode });
        await host.StartAsync(Ct);
        var instances = await host.Services.GetRequiredService<IConsulServiceDiscovery>().GetInstancesAsync("catalog", Ct);
        var warning = host.Services.GetFakeLogCollector().GetSnapshot().FirstOrDefault(r => r.Id.Name == "DiscoveryResultsFilteredByAcls")?.Message;
        await host.StopAsync(Ct);
        return instances.Count == 1 ? null : warning ?? $"no instance and no warning ({instances.Count} instances)";
    });

    /// <summary>The feature works with exactly its documented rules, and fails naming the permission of each rule left out.</summary>
    private static async Task ProveAsync(string feature, Func<LeastPrivilegeTarget, string, Task<string?>> exercise)
    {
        var rules = DocumentedPolicies.Rules(feature);
        await using (var target = await LeastPrivilegeTarget.StartAsync())
        {
            var failure = await exercise(target, await target.TokenAsync(rules));
            Assert.True(failure is null, $"'{feature}' failed with its documented policy: {failure}");
        }

        foreach (var missing in rules)
        {
            var (permission, name) = DocumentedPolicies.PermissionOf(missing);
            await using var target = await LeastPrivilegeTarget.StartAsync();
            var failure = await exercise(target, await target.TokenAsync(rules.Where(r => r != missing)));
            Assert.True(failure is not null, $"'{feature}' worked without {missing}");
            Assert.True(
                failure.Contains(permission, StringComparison.Ordinal) || (name.Length > 0 && failure.Contains(name, StringComparison.Ordinal)),
                $"'{feature}' without {missing} failed without naming {permission}: {failure}");
        }
    }

    private static IHost Host(LeastPrivilegeTarget target, string token, Action<IServiceCollection> configure, Dictionary<string, string?>? settings = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = target.Consul.Address.ToString(),
            ["Consul:Token"] = token,
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddFakeLogging();
        configure(builder.Services);
        return builder.Build();
    }
}
