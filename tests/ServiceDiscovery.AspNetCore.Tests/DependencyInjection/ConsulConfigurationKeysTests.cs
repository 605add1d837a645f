// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Tests.DependencyInjection;

public sealed class ConsulConfigurationKeysTests
{
    private static List<(string Key, string? Suggestion)> Unknown(params string[] keys)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(keys.Select(k => new KeyValuePair<string, string?>(k, "x"))).Build();
        return ConsulConfigurationKeys.FindUnknown(configuration.GetSection("Consul")).ToList();
    }

    [Theory]
    [InlineData("Consul:Servce:Name", "Consul:Servce", "Consul:Service")]
    [InlineData("Consul:Service:Tgas:0", "Consul:Service:Tgas", "Consul:Service:Tags")]
    [InlineData("Consul:adress", "Consul:adress", "Consul:Address")]
    [InlineData("Consul:Check:AdditionalChecks:0:Kindd", "Consul:Check:AdditionalChecks:0:Kindd", "Consul:Check:AdditionalChecks:0:Kind")]
    [InlineData("Consul:Discovery:Services:catalog:Tag:0", "Consul:Discovery:Services:catalog:Tag", "Consul:Discovery:Services:catalog:Tags")]
    [InlineData("Consul:Registration:DrainDelays", "Consul:Registration:DrainDelays", "Consul:Registration:DrainDelay")]
    [InlineData("Consul:Tls:CAFle", "Consul:Tls:CAFle", "Consul:Tls:CaFile")]
    public void FindUnknown_Typo_NamesTheKeyAndTheNearestValidOne(string written, string key, string suggestion)
        => Assert.Equal((key, suggestion), Assert.Single(Unknown(written, "Consul:Address")));

    [Fact]
    public void FindUnknown_ValueWithChildren_IsReportedWithoutSuggestion()
        => Assert.Equal(("Consul:Service:Name:First", (string?)null), Assert.Single(Unknown("Consul:Service:Name:First")));

    [Fact]
    public void FindUnknown_EveryKnownKey_IsAccepted()
    {
        var keys = ConsulConfigurationKeys.KnownPaths().Select(p => "Consul:" + p.Replace("*", "0", StringComparison.Ordinal)).ToArray();
        var leaves = keys.Where(k => !keys.Any(other => other.StartsWith(k + ":", StringComparison.Ordinal))).ToArray();

        Assert.Empty(Unknown(leaves));
        Assert.Empty(Unknown("Consul:Service:Meta:team", "Consul:Discovery:Services:catalog:Tags:0", "consul:service:name"));
    }

    /// <summary>The hand-kept list (no reflection at runtime) must match the options types exactly.</summary>
    [Fact]
    public void KnownPaths_MatchThePublicOptionsTypes()
    {
        var expected = new List<string>();
        Collect(typeof(ConsulOptions), null, expected);
        // Coordination settings are bound by AddConsulLeaderElection/AddConsulLocks from their own options types.
        expected.AddRange(["Coordination", "Coordination:Elections", "Coordination:Elections:*", "Coordination:Locks"]);
        Collect(typeof(ConsulLeaderElectionOptions), "Coordination:Elections:*", expected);
        Collect(typeof(ConsulLockOptions), "Coordination:Locks", expected);

        // The KV configuration source reads its own keys by hand (KeyValueSectionReader), before any options exist.
        expected.AddRange(["KeyValue", .. KeyValueKeys.Select(k => "KeyValue:" + k), "KeyValue:Prefixes:*"]);

        Assert.Equal(expected.Order(StringComparer.Ordinal), ConsulConfigurationKeys.KnownPaths().Order(StringComparer.Ordinal));
    }

    /// <summary>Each enum setting lists exactly its enum's names, so a bad value is answered with the valid ones.</summary>
    [Fact]
    public void KnownChoices_AreTheEnumPropertiesOfTheOptionsTypes()
    {
        var paths = new List<string>();
        Collect(typeof(ConsulOptions), null, paths);
        var expected = paths
            .Select(path => (Path: path, Type: PropertyType(typeof(ConsulOptions), path)))
            .Where(p => p.Type.IsEnum)
            .Select(p => $"{p.Path} = {string.Join(",", Enum.GetNames(p.Type))}");

        var actual = ConsulConfigurationKeys.KnownChoices().Select(c => $"{c.Path} = {string.Join(",", c.Names)}");

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    /// <summary>Each flag, number and duration setting is known as such, so a wrong value is answered with an example of a right one.</summary>
    [Fact]
    public void KnownKinds_AreTheValuePropertiesOfTheOptionsTypes()
    {
        var paths = new List<(Type Root, string Prefix, string Path)>();
        var all = new List<string>();
        Collect(typeof(ConsulOptions), null, all);
        paths.AddRange(all.Select(p => (typeof(ConsulOptions), "", p)));
        foreach (var (type, prefix) in new[] { (typeof(ConsulLeaderElectionOptions), "Coordination:Elections:*"), (typeof(ConsulLockOptions), "Coordination:Locks") })
        {
            var own = new List<string>();
            Collect(type, null, own);
            paths.AddRange(own.Select(p => (type, prefix + ":", p)));
        }

        var expected = paths
            .Select(p => (Path: p.Prefix + p.Path, Kind: KindOf(PropertyType(p.Root, p.Path))))
            .Append((Path: "KeyValue:Optional", Kind: (string?)"true or false"))
            .Append((Path: "KeyValue:WaitTime", Kind: (string?)"a duration"))
            .Where(static p => p.Kind is not null)
            .Select(static p => $"{p.Path} = {p.Kind}");

        var actual = ConsulConfigurationKeys.KnownKinds().Select(static k => $"{k.Path} = {k.Kind.Description}");

        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    private static string? KindOf(Type type)
        => type == typeof(bool) ? "true or false"
            : type == typeof(int) ? "a whole number"
            : type == typeof(double) ? "a number"
            : type == typeof(TimeSpan) ? "a duration"
            : null;

    [Theory]
    [InlineData("Registration:DrainDelay", true)]
    [InlineData("registration:draindelay", true)]
    [InlineData("Check:AdditionalChecks:3:Interval", true)]
    [InlineData("Coordination:Elections:nightly-report:StepDownAfter", true)]
    [InlineData("Timeout", true)]
    [InlineData("Tls:ServerName", false)]
    [InlineData("Service:Meta:Timeout", false)]
    [InlineData("Registration", false)]
    [InlineData("Unknown:Timeout", false)]
    public void IsDuration_FollowsTheKeyTree(string path, bool expected)
        => Assert.Equal(expected, ConsulConfigurationKeys.IsDuration(path));

    [Theory]
    [InlineData("Consul:Registration:DrainDelay", "10 seconds", "Consul:Registration:DrainDelay '10 seconds' is not a duration. Use e.g. '10s', '1m30s', '250ms' or '00:00:10'.")]
    [InlineData("Consul:Coordination:Locks:SessionTtl", "15", "")] // .NET reads a plain number as days: the binder takes it, so it is no binder failure
    [InlineData("Consul:Service:Port", "eighty", "Consul:Service:Port 'eighty' is not a whole number. Use e.g. '8'.")]
    [InlineData("Consul:Discovery:PanicThreshold", "half", "Consul:Discovery:PanicThreshold 'half' is not a number. Use e.g. '0.5'.")]
    [InlineData("Consul:Check:AdditionalChecks:0:GrpcUseTls", "yes", "Consul:Check:AdditionalChecks:0:GrpcUseTls 'yes' is not true or false. Use e.g. 'true'.")]
    [InlineData("Consul:Discovery:WaitTime", "1m30s", "")]
    [InlineData("Consul:Discovery:WaitTime", "00:01:30", "")]
    [InlineData("Consul:Service:Name", "10s", "")]
    public void FindInvalidValues_NamesTheKeyTheValueAndAnExample(string key, string value, string expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value, ["Consul:Timeout"] = "2s" }).Build();

        var failures = ConsulConfigurationKeys.FindInvalidValues(configuration.GetSection("Consul")).ToList();

        Assert.Equal(expected.Length == 0 ? [] : [expected], failures);
    }

    [Theory]
    [InlineData("Consul:Discovery:WatchMode", "Sometimes", "Use Auto, PerService or Datacenter.")]
    [InlineData("Consul:Discovery:Services:catalog:Consistency", "Strong", "Use Default, Stale or Consistent.")]
    [InlineData("Consul:Check:AdditionalChecks:0:Kind", "Ping", "Use Http, Ttl, None, Tcp or Grpc.")]
    [InlineData("Consul:Registration:ShutdownMode", "Maintenance,Drain", "Use Deregister or Maintenance.")] // a list is read part by part, as Enum.Parse does
    public void FindInvalidValues_Choice_NamesTheKeyTheValueAndTheValidNames(string key, string value, string fix)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value, ["Consul:LoadBalancing:Policy"] = "random" }).Build();

        var failure = Assert.Single(ConsulConfigurationKeys.FindInvalidValues(configuration.GetSection("Consul")));

        Assert.Equal($"{key} '{value}' is not one of its values. {fix}", failure);
    }

    /// <summary>What <c>AddConsulKeyValue</c> reads under <c>Consul:KeyValue</c>.</summary>
    private static readonly string[] KeyValueKeys = ["Optional", "Root", "ApplicationName", "Environment", "WaitTime", "SnapshotPath", "Prefixes"];

    [Fact]
    public void KeyValueSourceKeys_AreKnown_AndEachIsReadByTheSource()
    {
        Assert.Empty(Unknown([.. KeyValueKeys.Select(k => $"Consul:KeyValue:{k}"), "Consul:KeyValue:Prefixes:0"]));

        // Each listed key is one the source really reads: a bad value under it fails with the key's name.
        foreach (var key in new[] { "Optional", "WaitTime" })
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Consul:Address"] = "http://127.0.0.1:1",
                [$"Consul:KeyValue:{key}"] = "not-a-value",
            });
            var error = Assert.ThrowsAny<Exception>(() => configuration.AddConsulKeyValue().Build());
            Assert.Contains($"Consul:KeyValue:{key}", error.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Host_UnknownKey_LogsAWarningWithTheSuggestion()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Apps:Orders:Servce:Name"] = "orders" });
        builder.Logging.AddFakeLogging();
        builder.Services.AddConsulDiscoveryCache(builder.Configuration.GetSection("Apps:Orders"));
        using var host = builder.Build();

        await host.StartAsync(TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        var warning = Assert.Single(host.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "ConsulUnknownConfigurationKey");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("Configuration key Apps:Orders:Servce is not a Consul setting and is ignored. Did you mean Apps:Orders:Service?", warning.Message);
    }

    /// <summary>The type a path binds to: list elements and dictionary values at <c>*</c>, nullable enums as their enum.</summary>
    private static Type PropertyType(Type root, string path)
    {
        var type = root;
        foreach (var key in path.Split(':'))
        {
            type = key == "*" ? type.GetGenericArguments()[^1] : type.GetProperty(key)!.PropertyType;
        }

        return Nullable.GetUnderlyingType(type) ?? type;
    }

    private static void Collect(Type type, string? prefix, List<string> paths)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var path = prefix is null ? property.Name : $"{prefix}:{property.Name}";
            paths.Add(path);
            CollectValue(property.PropertyType, path, paths);
        }
    }

    private static void CollectValue(Type type, string path, List<string> paths)
    {
        var element = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>) ? type.GetGenericArguments()[0]
            : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>) ? type.GetGenericArguments()[1]
            : null;
        if (element is not null)
        {
            paths.Add(path + ":*");
            CollectValue(element, path + ":*", paths);
        }
        else if (type.IsClass && type != typeof(string))
        {
            Collect(type, path, paths);
        }
    }
}
