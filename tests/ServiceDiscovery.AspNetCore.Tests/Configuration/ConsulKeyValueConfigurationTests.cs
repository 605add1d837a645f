// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Configuration;

/// <summary>Consul KV as a configuration source, end to end against the test agent (or a real Consul).</summary>
public sealed class ConsulKeyValueConfigurationTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task LayeredPrefixes_LaterWin_AndNestedKeysBecomePaths()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("application/Level", "application");
        await kv.PutAsync("application/Shared", "from-application");
        await kv.PutAsync("orders/Level", "orders");
        await kv.PutAsync("orders,Staging/Level", "staging");
        await kv.PutAsync("orders/Logging/LogLevel/Default", "Warning");
        await kv.PutAsync("billing/Level", "not mine");

        using var configuration = Build(consul, kv, o => o.Environment = "Staging");

        Assert.Equal("staging", configuration["Level"]);
        Assert.Equal("from-application", configuration["Shared"]);
        Assert.Equal("Warning", configuration["Logging:LogLevel:Default"]);
    }

    [Fact]
    public async Task JsonDocument_IsExpandedInPlace_AndSingleKeysWinOverIt()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/appsettings.json", """{ "Features": { "NewPricing": true, "Regions": ["eu", "us"] }, "Price": 1.50, "Name": "orders" }""");
        await kv.PutAsync("orders/Db/settings.json", """{ "Pool": 8 }""");
        await kv.PutAsync("orders/Name", "single key");

        using var configuration = Build(consul, kv);

        Assert.Equal("true", configuration["Features:NewPricing"]);
        Assert.Equal("us", configuration["Features:Regions:1"]);
        Assert.Equal("1.50", configuration["Price"]);
        Assert.Equal("8", configuration["Db:Pool"]);
        Assert.Equal("single key", configuration["Name"]);
        Assert.Null(configuration["appsettings.json"]);
    }

    [Fact]
    public async Task YamlDocument_IsExpandedInPlace_AndMalformedYamlKeepsPreviousValues()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/appsettings.yaml", "Features:\n  NewPricing: true\n  Regions: [eu, us]\nPrice: '1.50'\nMissing: ~\n");
        await kv.PutAsync("orders/Db/settings.yml", "Pool: 8\n");
        using var configuration = Build(consul, kv);

        Assert.Equal("true", configuration["Features:NewPricing"]);
        Assert.Equal("us", configuration["Features:Regions:1"]);
        Assert.Equal("1.50", configuration["Price"]);
        Assert.Null(configuration["Missing"]);
        Assert.Equal("8", configuration["Db:Pool"]);
        Assert.Null(configuration["appsettings.yaml"]);

        await kv.PutAsync("orders/Db/settings.yml", "Pool: [8\n");
        await kv.PutAsync("orders/After", "applied");
        await Eventually.WaitAsync(() => configuration["After"] == "applied", Deadline, "the change after the malformed document applies");
        Assert.Equal("8", configuration["Db:Pool"]);
    }

    [Fact]
    public async Task NotUtf8_IsSkipped_OtherKeysLoad()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/Binary", [0xC3, 0x28, 0xFF]);
        await kv.PutAsync("orders/Text", "ok");

        using var configuration = Build(consul, kv);

        Assert.Null(configuration["Binary"]);
        Assert.Equal("ok", configuration["Text"]);
    }

    [Fact]
    public async Task PutAndDelete_ReachIOptionsMonitor_ExactlyOnceEach()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/Features/NewPricing", "false");
        using var configuration = Build(consul, kv);
        using var services = new ServiceCollection().Configure<FeatureFlags>(configuration.GetSection("Features")).BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<FeatureFlags>>();
        var callbacks = 0;
        using var subscription = monitor.OnChange(_ => Interlocked.Increment(ref callbacks));
        Assert.False(monitor.CurrentValue.NewPricing);

        await kv.PutAsync("orders/Features/NewPricing", "true");
        await Eventually.WaitAsync(() => monitor.CurrentValue.NewPricing, Deadline, "the put reaches IOptionsMonitor");

        await kv.PutAsync("orders,Production/Features/Discount", "5");
        await Eventually.WaitAsync(() => monitor.CurrentValue.Discount == 5, Deadline, "a put on another prefix reaches IOptionsMonitor");

        await kv.DeleteAsync("orders/Features/NewPricing");
        await Eventually.WaitAsync(() => !monitor.CurrentValue.NewPricing, Deadline, "the delete reaches IOptionsMonitor");

        await kv.DeleteAsync("orders,Production/", recurse: true);
        await Eventually.WaitAsync(() => monitor.CurrentValue.Discount == 0, Deadline, "the deleted prefix reaches IOptionsMonitor");

        // Any extra callback for a change would have run before the next change's: four changes, four callbacks.
        Assert.Equal(4, Volatile.Read(ref callbacks));
    }

    [Fact]
    public async Task MalformedDocument_KeepsPreviousValues_AndLaterChangesStillApply()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/appsettings.json", """{ "Retries": 3 }""");
        using var configuration = Build(consul, kv);
        Assert.Equal("3", configuration["Retries"]);

        await kv.PutAsync("orders/appsettings.json", """{ "Retries": 4, """);
        await kv.PutAsync("orders/After", "applied");
        await Eventually.WaitAsync(() => configuration["After"] == "applied", Deadline, "the change after the malformed document applies");

        Assert.Equal("3", configuration["Retries"]);
    }

    /// <summary>
    /// Issue 22: a value the options binder cannot convert throws inside the reload callback; the watch must survive it,
    /// log and count it, and apply the fix and every later change (as Microsoft's JSON file provider does).
    /// </summary>
    [Fact]
    public async Task ReloadCallbackThrows_WatchSurvives_LogsCounts_AndLaterChangesApply()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/Features/Count", "1");
        using var logs = new FakeLoggerProvider();
        using var loggerFactory = new LoggerFactory([logs]);
        using var configuration = Build(consul, kv, o => o.LoggerFactory = loggerFactory);
        var provider = configuration.Providers.OfType<ServiceDiscovery.AspNetCore.Configuration.ConsulKeyValueConfigurationProvider>().Single();
        using var errors = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(provider.Meter, "consul.config.reload.errors");
        using var services = new ServiceCollection().Configure<FeatureFlags>(configuration.GetSection("Features")).BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<FeatureFlags>>();
        Assert.Equal(1, monitor.CurrentValue.Count);

        await kv.PutAsync("orders/Features/Count", "abc");
        await Eventually.WaitAsync(() => errors.GetMeasurementSnapshot().Count == 1, Deadline, "the binder's failure in the reload callback is counted");
        Assert.Equal("abc", configuration["Features:Count"]);
        var failed = Assert.Single(logs.Collector.GetSnapshot(), r => r.Id.Name == "ConsulKeyValueReloadCallbackFailed");
        Assert.Equal(LogLevel.Error, failed.Level);
        Assert.Equal($"{kv.Root}/orders/", failed.GetStructuredStateValue("Prefix"));
        Assert.Contains("abc", failed.Exception!.ToString(), StringComparison.Ordinal);

        await kv.PutAsync("orders/Features/Count", "9");
        await Eventually.WaitAsync(() => configuration["Features:Count"] == "9", Deadline, "the corrected value reaches IConfiguration");
        await Eventually.WaitAsync(() => monitor.CurrentValue.Count == 9, Deadline, "the corrected value reaches IOptionsMonitor");

        await kv.PutAsync("orders,Production/Features/Discount", "5");
        await Eventually.WaitAsync(() => monitor.CurrentValue.Discount == 5, Deadline, "a later change under another prefix reaches IOptionsMonitor");
        await kv.PutAsync("orders/Features/Count", "10");
        await Eventually.WaitAsync(() => monitor.CurrentValue.Count == 10, Deadline, "a later change under the failed prefix reaches IOptionsMonitor");
        Assert.Single(errors.GetMeasurementSnapshot());
    }

    /// <summary>Build() blocks for the start-up read, but no longer than the section's Timeout: an agent that accepts and never answers cannot hang start-up.</summary>
    [Fact]
    public async Task SilentAgent_Required_BuildFailsAfterTheTimeout_NotLater()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<System.Net.Sockets.TcpClient>();
        var accepting = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await silent.AcceptTcpClientAsync(TestContext.Current.CancellationToken));
            }
        }, TestContext.Current.CancellationToken);
        var address = $"http://127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}";
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.Throws<InvalidOperationException>(() => new ConfigurationBuilder()
            .AddConsulConnection(address, timeout: TimeSpan.FromSeconds(1))
            .AddConsulKeyValue(o => { o.ApplicationName = "orders"; o.Environment = "Production"; })
            .Build());

        Assert.Contains("did not answer within", error.Message, StringComparison.Ordinal);
        Assert.Contains("Consul:Timeout", error.Message, StringComparison.Ordinal);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(30), $"Build() took {started.Elapsed} with a 1 s timeout");
        silent.Stop();
        await Assert.ThrowsAnyAsync<Exception>(() => accepting);
        accepted.ForEach(static c => c.Dispose());
    }

    [Fact]
    public void ConsulDown_Required_FailsNamingAddressAndPrefix()
    {
        var address = $"http://127.0.0.1:{LoopbackPort.Closed()}";

        var error = Assert.Throws<InvalidOperationException>(() => new ConfigurationBuilder()
            .AddConsulConnection(address)
            .AddConsulKeyValue(o => { o.ApplicationName = "orders"; o.Environment = "Production"; })
            .Build());

        Assert.Contains(address, error.Message, StringComparison.Ordinal);
        Assert.Contains("'config/application/'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Optional", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConsulDown_Optional_StartsWithout_ThenLoadsWhenConsulReturns()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var agent = consul.RequireTestAgent("stops and restarts the agent's listener");
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/Features/NewPricing", "true");
        await agent.StopAcceptingAsync(TestContext.Current.CancellationToken);

        using var logs = new FakeLoggerProvider();
        using var loggerFactory = new LoggerFactory([logs]);
        using var configuration = Build(consul, kv, o => { o.Optional = true; o.LoggerFactory = loggerFactory; });
        Assert.Null(configuration["Features:NewPricing"]);

        // One warning per prefix, its values as fields of their own for log queries.
        var startedWithout = logs.Collector.GetSnapshot().Where(r => r.Id.Name == "ConsulKeyValueStartedWithout").ToList();
        Assert.Equal(
            [$"{kv.Root}/application/", $"{kv.Root}/orders,Production/", $"{kv.Root}/orders/"], // ordinal: ',' sorts before '/'
            startedWithout.Select(r => r.GetStructuredStateValue("Prefix")).Order(StringComparer.Ordinal));
        Assert.All(startedWithout, r =>
        {
            Assert.Equal(LogLevel.Warning, r.Level);
            Assert.Equal(consul.Address.ToString(), r.GetStructuredStateValue("Address"));
            Assert.False(string.IsNullOrEmpty(r.GetStructuredStateValue("Cause")));
        });
        var reloaded = 0;
        configuration.GetReloadToken().RegisterChangeCallback(_ => Volatile.Write(ref reloaded, 1), null);

        await agent.StartAcceptingAsync(TestContext.Current.CancellationToken);

        // The provider sets its data, then fires the reload token: a reader can see the value a moment before the callback.
        await Eventually.WaitAsync(
            () => configuration["Features:NewPricing"] == "true" && Volatile.Read(ref reloaded) == 1, Deadline, "the values load once Consul answers, and the reload token fires");
    }

    [Fact]
    public async Task AgentRestartedWithoutState_MidWatch_NoUpdateMissedAfterwards()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var agent = consul.RequireTestAgent("restarts the agent without its state");
        if (consul.IsCluster)
        {
            Assert.Skip("in a cluster the index lives on the servers and does not go backwards when a client agent restarts");
        }

        using var kv = new KeyValueStore(consul);

        // The flag is the fresh agent's first write, so the same first write on the restarted agent gets the same
        // ModifyIndex with another value; the fillers push the index well above where a fresh agent starts.
        await kv.PutAsync("orders/Features/NewPricing", "false");
        for (var i = 0; i < 20; i++)
        {
            await kv.PutAsync($"orders/Filler{i}", "x");
        }

        using var configuration = Build(consul, kv);
        using var services = new ServiceCollection().Configure<FeatureFlags>(configuration.GetSection("Features")).BuildServiceProvider();
        var monitor = services.GetRequiredService<IOptionsMonitor<FeatureFlags>>();
        var indexBefore = agent.Index;
        await Eventually.WaitAsync(
            () => agent.Requests.Count(r => r.Path.StartsWith("/v1/kv/", StringComparison.Ordinal) && r.Query.Contains("index=", StringComparison.Ordinal)) >= 3,
            Deadline,
            "the three watches sent their blocking queries");

        await agent.RestartAsync(keepState: false, TestContext.Current.CancellationToken);
        Assert.True(agent.Index < indexBefore);

        await kv.PutAsync("orders/Features/NewPricing", "true");
        await Eventually.WaitAsync(() => monitor.CurrentValue.NewPricing, Deadline, "the put after the restart reaches IOptionsMonitor");
        await kv.PutAsync("orders/Features/Discount", "7");
        await Eventually.WaitAsync(() => monitor.CurrentValue.Discount == 7, Deadline, "a second put after the restart reaches IOptionsMonitor");
        Assert.Null(configuration["Filler0"]);
    }

    [Fact]
    public async Task AclDenied_Required_NamesPrefixAndTheReadRule()
    {
        var (consul, agent) = await StartWithTokenAsync(
            "reader-of-other-things", ["config/orders/Secret"], new ConsulTestAclRule(ConsulTestAclResource.Key, "config/application/", ConsulTestAclAccess.Read));
        await using var disposeConsul = consul;

        var error = Assert.Throws<InvalidOperationException>(() => new ConfigurationBuilder()
            .AddConsulConnection(agent.Address.ToString(), "reader-of-other-things")
            .AddConsulKeyValue(o => { o.ApplicationName = "orders"; o.Environment = "Production"; })
            .Build());

        Assert.Contains("key_prefix \"config/orders/\" { policy = \"read\" }", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("reader-of-other-things", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 22: a token that reads the prefix but is denied one key below it must not be told to add the prefix rule it
    /// has; the message says a narrower rule denies keys and how to find it.
    /// </summary>
    [Fact]
    public async Task AclDeniesOneKeyBelowAReadablePrefix_Required_SaysANarrowerRuleDeniesIt()
    {
        var (consul, agent) = await StartWithTokenAsync(
            "reader-without-secrets",
            ["config/orders/Secret", "config/orders/Level"],
            new ConsulTestAclRule(ConsulTestAclResource.Key, "config/", ConsulTestAclAccess.Read),
            new ConsulTestAclRule(ConsulTestAclResource.Key, "config/orders/Secret", ConsulTestAclAccess.Deny));
        await using var disposeConsul = consul;

        var error = Assert.Throws<InvalidOperationException>(() => new ConfigurationBuilder()
            .AddConsulConnection(agent.Address.ToString(), "reader-without-secrets")
            .AddConsulKeyValue(o => { o.ApplicationName = "orders"; o.Environment = "Production"; })
            .Build());

        Assert.Contains("'config/orders/'", error.Message, StringComparison.Ordinal);
        Assert.Contains("The token read 1 key(s) under it", error.Message, StringComparison.Ordinal);
        Assert.Contains("a narrower rule denies the others", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Give the token a policy with the rule", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("reader-without-secrets", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Idle_SendsOnlyBlockingQueries_AndNoReloads()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var agent = consul.RequireTestAgent("counts requests");
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/Level", "1");
        using var configuration = Build(consul, kv, o => o.WaitTime = TimeSpan.FromMilliseconds(200));
        var reloads = 0;
        using var subscription = Microsoft.Extensions.Primitives.ChangeToken.OnChange(configuration.GetReloadToken, () => Interlocked.Increment(ref reloads));
        agent.ClearRequests();

        // Three prefixes, each re-arming its blocking query when the 200 ms wait ends: wait for a few rounds.
        await Eventually.WaitAsync(() => agent.CountRequests("/v1/kv/") >= 12, Deadline, "the watches re-arm");

        var requests = agent.Requests.Where(r => r.Path.StartsWith("/v1/kv/", StringComparison.Ordinal)).ToList();
        Assert.All(requests, r => Assert.Equal("GET", r.Method));
        Assert.All(requests, r => Assert.Contains("index=", r.Query, StringComparison.Ordinal));
        Assert.All(requests, r => Assert.Contains("wait=200ms", r.Query, StringComparison.Ordinal));
        Assert.Equal(0, Volatile.Read(ref reloads));
        Assert.Equal("1", configuration["Level"]);
    }

    /// <summary>A test agent with ACLs on (default deny, management token <c>root</c>), one token with <paramref name="rules"/>, and <paramref name="keys"/> written by root.</summary>
    private static async Task<(ConsulTarget Consul, ConsulTestAgent Agent)> StartWithTokenAsync(string secretId, string[] keys, params ConsulTestAclRule[] rules)
    {
        var options = new ConsulTestAgentOptions();
        options.Acl.Enabled = true;
        options.Acl.DefaultAllow = false;
        options.Acl.ManagementToken = "root";
        var token = new ConsulTestAclToken { SecretId = secretId };
        foreach (var rule in rules)
        {
            token.Rules.Add(rule);
        }

        options.Acl.Tokens.Add(token);
        var consul = await ConsulTarget.StartAsync(options);
        ConsulTestAgent agent;
        try
        {
            agent = consul.RequireTestAgent("configures ACL tokens");
        }
        catch
        {
            await consul.DisposeAsync();
            throw;
        }

        using var http = new HttpClient { BaseAddress = agent.Address };
        http.DefaultRequestHeaders.Add("X-Consul-Token", "root");
        foreach (var key in keys)
        {
            using var put = await http.PutAsync(new Uri($"v1/kv/{key}", UriKind.Relative), new StringContent("x"), TestContext.Current.CancellationToken);
            put.EnsureSuccessStatusCode();
        }

        return (consul, agent);
    }

    internal static ConfigurationRoot Build(ConsulTarget consul, KeyValueStore kv, Action<ConsulKeyValueConfigurationOptions>? configure = null, string? token = null)
        => (ConfigurationRoot)new ConfigurationBuilder()
            .AddConsulConnection(consul.Address.ToString(), consul.Token ?? token)
            .AddConsulKeyValue(o =>
            {
                o.Root = kv.Root;
                o.ApplicationName = "orders";
                o.Environment = "Production";
                configure?.Invoke(o);
            })
            .Build();


    private sealed class FeatureFlags
    {
        public bool NewPricing { get; set; }

        public int Discount { get; set; }

        public int Count { get; set; }
    }
}
