// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

public sealed class ConsulDiscoveryOptionsValidatorTests
{
    private static string? Validate(Action<ConsulDiscoveryCacheOptions> configure)
    {
        var options = new ConsulOptions();
        configure(options.Discovery);
        var result = new ConsulDiscoveryCacheOptionsValidator().Validate(null, options);
        return result.Failed ? result.FailureMessage : null;
    }

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.Null(Validate(_ => { }));

    [Theory]
    [InlineData("00:00:00", "Consul:Discovery:WaitTime must be between 00:00:01 and 00:10:00 (Consul's max_query_time); got '00:00:00'.")]
    [InlineData("00:11:00", "Consul:Discovery:WaitTime must be between 00:00:01 and 00:10:00 (Consul's max_query_time); got '00:11:00'.")]
    public void Validate_WaitTimeOutOfRange_NamesTheKey(string wait, string expected)
        => Assert.StartsWith(expected, Validate(o => o.WaitTime = TimeSpan.Parse(wait, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Validate_NegativeMinimumQueryInterval_NamesTheKey()
        => Assert.StartsWith("Consul:Discovery:MinimumQueryInterval must be zero or more", Validate(o => o.MinimumQueryInterval = TimeSpan.FromSeconds(-1)));

    [Fact]
    public void Validate_MaxConnectionsBelowThree_NamesTheKey()
        => Assert.StartsWith("Consul:Discovery:MaxConnections must be at least 3 (the datacenter watch's two blocking queries plus one for reads); got '2'.", Validate(o => o.MaxConnections = 2));

    [Fact]
    public void Validate_ZeroThreshold_NamesTheKey()
        => Assert.StartsWith("Consul:Discovery:DatacenterWatchThreshold must be at least 1; got '0'.", Validate(o => o.DatacenterWatchThreshold = 0));

    [Fact]
    public void Validate_UnknownWatchMode_NamesTheKey()
        => Assert.StartsWith("Consul:Discovery:WatchMode must be Auto, PerService or Datacenter; got '7'.", Validate(o => o.WatchMode = (ConsulWatchMode)7));

    [Fact]
    public void Validate_ZeroRetryDelay_NamesTheKey()
        => Assert.StartsWith("Consul:Discovery:RetryDelay must be greater than zero; got '00:00:00'.", Validate(o => o.RetryDelay = TimeSpan.Zero));

    [Fact]
    public void Validate_MaxRetryDelayBelowRetryDelay_NamesBothKeys()
        => Assert.StartsWith(
            "Consul:Discovery:MaxRetryDelay must be at least Consul:Discovery:RetryDelay ('00:00:05'); got '00:00:02'.",
            Validate(o => { o.RetryDelay = TimeSpan.FromSeconds(5); o.MaxRetryDelay = TimeSpan.FromSeconds(2); }));

    [Fact]
    public void Validate_ZeroIdleTimeout_NamesTheKey()
        => Assert.StartsWith("Consul:Discovery:IdleTimeout must be greater than zero", Validate(o => o.IdleTimeout = TimeSpan.Zero));

    [Fact]
    public void Validate_InfiniteIdleTimeout_Succeeds()
        => Assert.Null(Validate(o => o.IdleTimeout = Timeout.InfiniteTimeSpan));

    [Fact]
    public void Validate_UndefinedConsistency_NamesTheKey()
        => Assert.StartsWith("Consul:Discovery:Consistency must be Default, Stale or Consistent; got '7'.", Validate(o => o.Consistency = (ConsulConsistencyMode)7));

    [Fact]
    public void Validate_EmptyTag_NamesItsIndex()
        => Assert.StartsWith("Consul:Discovery:Tags:1 is empty", Validate(o => { o.Tags.Add("v1"); o.Tags.Add(" "); }));

    [Fact]
    public void Validate_PerServiceProblems_NameTheServiceKey()
    {
        var message = Validate(o => o.Services["catalog"] = new ConsulServiceQueryOptions { Consistency = (ConsulConsistencyMode)9 });

        Assert.StartsWith("Consul:Discovery:Services:catalog:Consistency must be Default, Stale or Consistent; got '9'.", message);
    }

    [Theory]
    [InlineData("RetryDelay", "00:30:00", "Consul:Discovery:RetryDelay '00:30:00' is longer than the limit of '00:10:00'")]
    [InlineData("MaxRetryDelay", "2.00:00:00", "Consul:Discovery:MaxRetryDelay '2.00:00:00' is longer than the limit of '01:00:00'")]
    [InlineData("IdleTimeout", "60.00:00:00", "Consul:Discovery:IdleTimeout '60.00:00:00' is longer than the limit of '1.00:00:00'")]
    public void Validate_DurationBeyondItsLimit_NamesKeyValueAndLimit(string key, string value, string expected)
    {
        var duration = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        var message = Validate(o =>
        {
            switch (key)
            {
                case "RetryDelay": o.RetryDelay = duration; o.MaxRetryDelay = duration; break;
                case "MaxRetryDelay": o.MaxRetryDelay = duration; break;
                default: o.IdleTimeout = duration; break;
            }
        });

        Assert.StartsWith(expected, message);
    }

    [Fact]
    public void Validate_ServiceKeyThatIsNoDnsLabel_NamesTheRule()
        => Assert.StartsWith(
            "Consul:Discovery:Services:catalog api names a service no http://catalog api/ URL can reach: a service name must be a DNS label",
            Validate(o => o.Services["catalog api"] = new ConsulServiceQueryOptions()));

    [Fact]
    public void Validate_TagWithWhitespace_NamesItsIndexAndTheRule()
        => Assert.StartsWith("Consul:Discovery:Tags:0 'blue green' can never match: a tag must not contain whitespace", Validate(o => o.Tags.Add("blue green")));

    [Fact]
    public void Validate_SnapshotPathInAFolderToCreate_SucceedsAndCreatesIt()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"sd-snapshot-{Guid.NewGuid():N}", "nested");
        try
        {
            Assert.Null(Validate(o => o.SnapshotPath = Path.Combine(folder, "discovery.json")));
            Assert.True(Directory.Exists(folder));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
    }

    [Fact]
    public void Validate_SnapshotPathNamingAFolder_SaysSoAndTheFix()
        => Assert.StartsWith($"Consul:Discovery:SnapshotPath '{Path.GetTempPath()}' names a folder, not a file. Set it to a file", Validate(o => o.SnapshotPath = Path.GetTempPath()));

    [Fact]
    public void Validate_SnapshotPathUnderAFile_SaysTheFolderCannotBeCreated()
    {
        var file = Path.GetTempFileName();
        try
        {
            var failure = Validate(o => o.SnapshotPath = Path.Combine(file, "discovery.json"));
            Assert.StartsWith($"Consul:Discovery:SnapshotPath '{Path.Combine(file, "discovery.json")}': its folder '{file}' does not exist and cannot be created", failure);
            Assert.Contains("remove the setting to keep no snapshot", failure, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("31.00:00:00")]
    public void Validate_SnapshotMaxAgeOutOfRange_NamesKeyAndDefault(string maxAge)
        => Assert.StartsWith(
            $"Consul:Discovery:SnapshotMaxAge must be greater than zero and at most 30.00:00:00; got '{maxAge}'. Remove it to use the default of 1.00:00:00.",
            Validate(o => o.SnapshotMaxAge = TimeSpan.Parse(maxAge, System.Globalization.CultureInfo.InvariantCulture)));
}
