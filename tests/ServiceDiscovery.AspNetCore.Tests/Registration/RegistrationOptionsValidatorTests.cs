// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Registration;

namespace ServiceDiscovery.AspNetCore.Tests.Registration;

public sealed class RegistrationOptionsValidatorTests
{
    public static TheoryData<string, Action<ConsulOptions>> BadSettings => new()
    {
        { "Consul:Service:Name is blank", o => o.Service.Name = " " },
        { "Consul:Service:Id is blank", o => o.Service.Id = "" },
        { "Consul:Service:Address '0.0.0.0' is a wildcard", o => o.Service.Address = "0.0.0.0" },
        { "Consul:Service:Address '[::]' is a wildcard", o => o.Service.Address = "[::]" },
        { "Consul:Service:Address 'http://10.0.0.5' must be a host name or IP address only", o => o.Service.Address = "http://10.0.0.5" },
        { "Consul:Service:Address 'bad host!' is neither", o => o.Service.Address = "bad host!" },
        { "Consul:Service:Port must be between 1 and 65535; got '0'", o => o.Service.Port = 0 },
        { "Consul:Service:Port must be between 1 and 65535; got '70000'", o => o.Service.Port = 70000 },
        { "Consul:Service:Tags:0 is blank", o => o.Service.Tags.Add(" ") },
        { "Consul:Service:Meta:bad.key has a key Consul rejects", o => o.Service.Meta["bad.key"] = "v" },
        { "Consul:Service:Meta:consul-x uses the prefix 'consul-'", o => o.Service.Meta["consul-x"] = "v" },
        { "Consul:Service:Meta:long has a value of 513 characters", o => o.Service.Meta["long"] = new string('x', 513) },
        { "Consul:Service:Meta has 63 entries", o => AddMeta(o, 63) },
        { "Consul:Service:Weights:Passing must be greater than zero; got '0'", o => o.Service.Weights.Passing = 0 },
        { "Consul:Service:Weights:Warning must be zero or more; got '-1'", o => o.Service.Weights.Warning = -1 },
        { "Consul:Service:PreferredNetworks:0 '10.0.0.0/33' is not a network in CIDR notation", o => o.Service.PreferredNetworks.Add("10.0.0.0/33") },
        { "Consul:Check:Kind '7' is not a kind for the app's own check", o => o.Check.Kind = (ConsulCheckKind)7 },
        { "Consul:Check:Kind 'Tcp' is not a kind for the app's own check. Use Http, Grpc, Ttl or None", o => o.Check.Kind = ConsulCheckKind.Tcp },
        { "Consul:Check:GrpcService 'catalog.v1.Catalog/Get' is not a gRPC service name", o => { o.Check.Kind = ConsulCheckKind.Grpc; o.Check.GrpcService = "catalog.v1.Catalog/Get"; } },
        { "Consul:Check:GrpcService ' ' is not a gRPC service name", o => o.Check.GrpcService = " " },
        { "Consul:Check:Timeout '00:00:20' is longer than Consul:Check:Interval '00:00:10'", o => { o.Check.Kind = ConsulCheckKind.Grpc; o.Check.Timeout = TimeSpan.FromSeconds(20); } },
        { "Consul:Check:Path must be a path starting with '/'", o => o.Check.Path = "health" },
        { "Consul:Check:Interval must be greater than zero; got '00:00:00'", o => o.Check.Interval = TimeSpan.Zero },
        { "Consul:Check:Interval must be greater than zero; got '-00:00:01'", o => o.Check.Interval = TimeSpan.FromSeconds(-1) },
        { "Consul:Check:Timeout must be greater than zero", o => o.Check.Timeout = TimeSpan.Zero },
        { "Consul:Check:Timeout '00:00:20' is longer than Consul:Check:Interval '00:00:10'", o => o.Check.Timeout = TimeSpan.FromSeconds(20) },
        { "Consul:Check:Ttl must be at least 1 second; got '00:00:00'", o => { o.Check.Kind = ConsulCheckKind.Ttl; o.Check.Ttl = TimeSpan.Zero; } },
        { "Consul:Check:Ttl must be at least 1 second; got '00:00:00.5000000'", o => { o.Check.Kind = ConsulCheckKind.Ttl; o.Check.Ttl = TimeSpan.FromMilliseconds(500); } },
        { "Consul:Check:DeregisterCriticalServiceAfter must not be negative", o => o.Check.DeregisterCriticalServiceAfter = TimeSpan.FromMinutes(-1) },
        { "Consul:Check:AdditionalChecks:0:Target is required", o => o.Check.AdditionalChecks.Add(new()) },
        { "Consul:Check:AdditionalChecks:0:Target 'localhost' is not valid for a Tcp check", o => o.Check.AdditionalChecks.Add(new() { Kind = ConsulCheckKind.Tcp, Target = "localhost" }) },
        { "Consul:Check:AdditionalChecks:0:Target 'ftp://x' is not valid for a Http check", o => o.Check.AdditionalChecks.Add(new() { Target = "ftp://x" }) },
        { "Consul:Check:AdditionalChecks:0:Kind '9' is not a kind for an extra check", o => o.Check.AdditionalChecks.Add(new() { Kind = (ConsulCheckKind)9, Target = "x:1" }) },
        { "Consul:Check:AdditionalChecks:0:Kind 'Ttl' is not a kind for an extra check. Use Http, Tcp or Grpc", o => o.Check.AdditionalChecks.Add(new() { Kind = ConsulCheckKind.Ttl, Target = "x:1" }) },
        { "Consul:Check:AdditionalChecks:0:Timeout '00:00:30' is longer than", o => o.Check.AdditionalChecks.Add(new() { Target = "http://x/", Timeout = TimeSpan.FromSeconds(30) }) },
        { "Consul:Registration:RetryInitialDelay must be greater than zero", o => o.Registration.RetryInitialDelay = TimeSpan.Zero },
        { "Consul:Registration:RetryMaxDelay '00:00:01' is shorter than Consul:Registration:RetryInitialDelay '00:00:02'", o => { o.Registration.RetryInitialDelay = TimeSpan.FromSeconds(2); o.Registration.RetryMaxDelay = TimeSpan.FromSeconds(1); } },
        { "Consul:Registration:AntiEntropyInterval must be at least 1 second", o => o.Registration.AntiEntropyInterval = TimeSpan.Zero },
        { "Consul:Registration:ShutdownMode '5' is not a shutdown mode", o => o.Registration.ShutdownMode = (ConsulShutdownMode)5 },
        { "Consul:Registration:DrainDelay must not be negative", o => o.Registration.DrainDelay = TimeSpan.FromSeconds(-1) },
        { "Consul:Registration:DrainDelay '60.00:00:00' is longer than the limit of '00:10:00'", o => o.Registration.DrainDelay = TimeSpan.FromDays(60) },
        { "Consul:Registration:RetryInitialDelay '00:20:00' is longer than the limit of '00:10:00'", o => { o.Registration.RetryInitialDelay = TimeSpan.FromMinutes(20); o.Registration.RetryMaxDelay = TimeSpan.FromHours(1); } },
        { "Consul:Registration:RetryMaxDelay '02:00:00' is longer than the limit of '01:00:00'", o => o.Registration.RetryMaxDelay = TimeSpan.FromHours(2) },
        { "Consul:Registration:AntiEntropyInterval '60.00:00:00' is longer than the limit of '1.00:00:00'", o => o.Registration.AntiEntropyInterval = TimeSpan.FromDays(60) },
        { "Consul:Check:Interval '2.00:00:00' is longer than the limit of '1.00:00:00'", o => { o.Check.Interval = TimeSpan.FromDays(2); } },
        { "Consul:Check:Ttl '30.00:00:00' is longer than the limit of '1.00:00:00'", o => { o.Check.Kind = ConsulCheckKind.Ttl; o.Check.Ttl = TimeSpan.FromDays(30); } },
        { "Consul:Check:AdditionalChecks:0:Interval '2.00:00:00' is longer than the limit", o => o.Check.AdditionalChecks.Add(new() { Target = "http://x/", Interval = TimeSpan.FromDays(2) }) },
        { "Consul:Service:Name 'order service' cannot be reached as http://order service/", o => o.Service.Name = "order service" },
        { "Consul:Service:Name 'orders/v2' cannot be reached", o => o.Service.Name = "orders/v2" },
        { "Consul:Service:Name 'orders.api' cannot be reached", o => o.Service.Name = "orders.api" },
        { "Consul:Service:Name '-orders' cannot be reached", o => o.Service.Name = "-orders" },
        { "a service name must be a DNS label: 1 to 63 ASCII letters, digits and '-'", o => o.Service.Name = new string('a', 64) },
        { "Consul:Service:Tags:0 'blue green' cannot be matched by discovery: a tag must not contain whitespace", o => o.Service.Tags.Add("blue green") },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void Validate_BadSetting_OneFailureNamingTheKey(string expected, Action<ConsulOptions> configure)
    {
        var options = new ConsulOptions();
        configure(options);

        var result = new RegistrationOptionsValidator(new TestEnvironment("Orders.Api")).Validate(null, options);

        var failure = Assert.Single(result.Failures!);
        Assert.Contains(expected, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_Succeed()
        => Assert.True(new RegistrationOptionsValidator(new TestEnvironment("Orders.Api")).Validate(null, new ConsulOptions()).Succeeded);

    [Fact]
    public void Validate_FullValidConfiguration_Succeeds()
    {
        var options = new ConsulOptions();
        options.Service.Address = "[2001:db8::1]";
        options.Service.Port = 443;
        options.Service.Meta["git_sha"] = "abc";
        options.Service.PreferredNetworks.Add("fd00::/8");
        options.Check.AdditionalChecks.Add(new() { Kind = ConsulCheckKind.Tcp, Target = "[::1]:6379" });
        options.Check.AdditionalChecks.Add(new() { Kind = ConsulCheckKind.Grpc, Target = "grpc.internal:5002/orders" });
        options.Check.DeregisterCriticalServiceAfter = TimeSpan.Zero;
        options.Registration.DrainDelay = TimeSpan.Zero;

        var result = new RegistrationOptionsValidator(new TestEnvironment("Orders.Api")).Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("2001:db8::1")]
    [InlineData("[2001:db8::1]")]
    [InlineData("orders.internal")]
    [InlineData("shop_orders_1")]
    public void Validate_ServiceAddressForms_Accepted(string address)
    {
        var options = new ConsulOptions();
        options.Service.Address = address;

        Assert.True(new RegistrationOptionsValidator(new TestEnvironment("Orders.Api")).Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_NoNameAndApplicationNameWithoutLettersOrDigits_AsksForName()
    {
        var result = new RegistrationOptionsValidator(new TestEnvironment("...")).Validate(null, new ConsulOptions());

        Assert.Contains("Consul:Service:Name is not set and cannot be derived from the application name '...'", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NoDerivableNameButRegistrationOff_Succeeds()
    {
        var options = new ConsulOptions();
        options.Registration.Enabled = false;

        Assert.True(new RegistrationOptionsValidator(new TestEnvironment("...")).Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task StartAsync_BadConfiguration_FailsStartupWithEveryBadKey()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = "http://127.0.0.1:1",
            ["Consul:Check:Interval"] = "00:00:00",
            ["Consul:Registration:DrainDelay"] = "-00:00:01",
        });
        builder.Services.AddConsulDiscovery();
        await using var app = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("Consul:Check:Interval must be greater than zero", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Consul:Registration:DrainDelay must not be negative", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_UnknownCheckKindInConfiguration_FailsStartupNamingTheKey()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Check:Kind"] = "Script" });
        builder.Services.AddConsulDiscovery();
        await using var app = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal("Consul:Check:Kind 'Script' is not one of its values. Use Http, Ttl, None, Tcp or Grpc.", Assert.Single(ex.Failures));
    }

    private static void AddMeta(ConsulOptions options, int count)
    {
        for (var i = 0; i < count; i++)
        {
            options.Service.Meta["k" + i] = "v";
        }
    }

    private sealed class TestEnvironment(string applicationName) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";

        public string ApplicationName { get; set; } = applicationName;

        public string ContentRootPath { get; set; } = "/";

        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
