// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Registration;

namespace ServiceDiscovery.AspNetCore.Tests.Registration;

public sealed class RegistrationBuilderTests
{
    private static readonly AdvertisedEndpoint Endpoint = new("http", "10.0.0.5", 5000);

    [Fact]
    public void Build_Defaults_HttpCheckOnHealthAtTheRegisteredAddress()
    {
        var registration = RegistrationBuilder.Build(new ConsulOptions(), Endpoint, "Orders.Api", "2.1.0");

        var body = registration.Body;
        Assert.Equal("orders-api", body.Name);
        Assert.Equal("orders-api-10.0.0.5-5000", body.ID);
        Assert.Equal(new Dictionary<string, string> { ["version"] = "2.1.0", ["scheme"] = "http" }, body.Meta);
        var check = body.Check!;
        Assert.Equal("service:orders-api-10.0.0.5-5000", check.CheckID);
        Assert.Equal("http://10.0.0.5:5000/health", check.HTTP);
        Assert.Equal("GET", check.Method);
        Assert.Equal(TimeSpan.FromSeconds(10), check.Interval);
        Assert.Equal(TimeSpan.FromSeconds(5), check.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(1), check.DeregisterCriticalServiceAfter);
        Assert.Null(check.TTL);
        Assert.Null(body.Checks);
        Assert.Null(registration.TtlCheckId);
    }

    [Fact]
    public void Build_ConfiguredService_TagsMetaWeightsIdAndPathApplied()
    {
        var options = new ConsulOptions();
        options.Service.Name = "orders";
        options.Service.Id = "orders-blue";
        options.Service.Tags.Add("v1");
        options.Service.Meta["version"] = "1.0";
        options.Service.Meta["team"] = "payments";
        options.Service.Weights.Passing = 10;
        options.Service.Weights.Warning = 0;
        options.Service.EnableTagOverride = true;
        options.Check.Path = "/healthz";
        options.Check.DeregisterCriticalServiceAfter = TimeSpan.Zero;
        options.Check.TlsSkipVerify = true;

        var body = RegistrationBuilder.Build(options, new AdvertisedEndpoint("https", "2001:db8::5", 5001), "ignored", "9.9.9").Body;

        Assert.Equal("orders-blue", body.ID);
        Assert.Equal(["v1"], body.Tags);
        Assert.Equal(new Dictionary<string, string> { ["version"] = "1.0", ["team"] = "payments", ["scheme"] = "https" }, body.Meta);
        Assert.Equal(new(10, 0), body.Weights);
        Assert.True(body.EnableTagOverride);
        Assert.Equal("2001:db8::5", body.Address);
        Assert.Equal("https://[2001:db8::5]:5001/healthz", body.Check!.HTTP);
        Assert.True(body.Check.TLSSkipVerify);
        Assert.Null(body.Check.DeregisterCriticalServiceAfter);
    }

    [Fact]
    public void Build_TtlKind_TtlCheckTheAppReportsTo()
    {
        var options = new ConsulOptions();
        options.Check.Kind = ConsulCheckKind.Ttl;
        options.Check.Ttl = TimeSpan.FromSeconds(15);

        var registration = RegistrationBuilder.Build(options, Endpoint, "orders", "1");

        Assert.Equal("service:orders-10.0.0.5-5000", registration.TtlCheckId);
        Assert.Equal(TimeSpan.FromSeconds(15), registration.Ttl);
        Assert.Equal(TimeSpan.FromSeconds(15), registration.Body.Check!.TTL);
        Assert.Null(registration.Body.Check.HTTP);
        Assert.Null(registration.Body.Check.Interval);
    }

    [Fact]
    public void Build_GrpcKindOnPlaintext_GrpcCheckWithoutTlsAndSchemeH2c()
    {
        var options = new ConsulOptions();
        options.Check.Kind = ConsulCheckKind.Grpc;
        options.Check.Interval = TimeSpan.FromSeconds(2);
        options.Check.Timeout = TimeSpan.FromSeconds(1);

        var registration = RegistrationBuilder.Build(options, Endpoint, "catalog", "1");

        var check = registration.Body.Check!;
        Assert.Equal("service:catalog-10.0.0.5-5000", check.CheckID);
        Assert.Equal("10.0.0.5:5000", check.GRPC);
        Assert.Null(check.GRPCUseTLS);
        Assert.Null(check.HTTP);
        Assert.Null(check.TTL);
        Assert.Equal(TimeSpan.FromSeconds(2), check.Interval);
        Assert.Equal(TimeSpan.FromSeconds(1), check.Timeout);
        Assert.Equal(TimeSpan.FromMinutes(1), check.DeregisterCriticalServiceAfter);
        Assert.Equal("h2c", registration.Body.Meta!["scheme"]);
        Assert.Null(registration.TtlCheckId);
    }

    [Fact]
    public void Build_GrpcKindOnTlsWithServiceName_TlsCheckOfThatServiceAndSchemeHttps()
    {
        var options = new ConsulOptions();
        options.Check.Kind = ConsulCheckKind.Grpc;
        options.Check.GrpcService = " catalog.v1.Catalog ";
        options.Check.TlsSkipVerify = true;

        var body = RegistrationBuilder.Build(options, new AdvertisedEndpoint("https", "2001:db8::5", 5001), "catalog", "1").Body;

        Assert.Equal("[2001:db8::5]:5001/catalog.v1.Catalog", body.Check!.GRPC);
        Assert.True(body.Check.GRPCUseTLS);
        Assert.True(body.Check.TLSSkipVerify);
        Assert.Equal("https", body.Meta!["scheme"]);
    }

    [Fact]
    public void Build_GrpcKindWithConfiguredScheme_ConfiguredSchemeKept()
    {
        var options = new ConsulOptions();
        options.Check.Kind = ConsulCheckKind.Grpc;
        options.Service.Meta["scheme"] = "grpc";

        Assert.Equal("grpc", RegistrationBuilder.Build(options, Endpoint, "catalog", "1").Body.Meta!["scheme"]);
    }

    [Fact]
    public void Build_NoneKindWithAdditionalChecks_OnlyTheAdditionalOnes()
    {
        var options = new ConsulOptions();
        options.Check.Kind = ConsulCheckKind.None;
        options.Check.AdditionalChecks.Add(new() { Kind = ConsulCheckKind.Tcp, Target = "10.0.0.5:6379" });
        options.Check.AdditionalChecks.Add(new() { Kind = ConsulCheckKind.Grpc, Target = "10.0.0.5:5002/orders", GrpcUseTls = true, Name = "grpc" });

        var body = RegistrationBuilder.Build(options, Endpoint, "orders", "1").Body;

        Assert.Null(body.Check);
        Assert.Collection(
            body.Checks!,
            tcp =>
            {
                Assert.Equal("service:orders-10.0.0.5-5000:2", tcp.CheckID);
                Assert.Equal("Tcp 10.0.0.5:6379", tcp.Name);
                Assert.Equal("10.0.0.5:6379", tcp.TCP);
                Assert.Null(tcp.HTTP);
            },
            grpc =>
            {
                Assert.Equal("grpc", grpc.Name);
                Assert.Equal("10.0.0.5:5002/orders", grpc.GRPC);
                Assert.True(grpc.GRPCUseTLS);
            });
    }

    [Fact]
    public void HasSameBody_EqualContentInNewCollections_True()
    {
        var first = RegistrationBuilder.Build(WithTag("v1"), Endpoint, "orders", "1");
        var second = RegistrationBuilder.Build(WithTag("v1"), Endpoint, "orders", "1");
        var changed = RegistrationBuilder.Build(WithTag("v2"), Endpoint, "orders", "1");

        Assert.True(first.HasSameBody(second));
        Assert.False(first.HasSameBody(changed));
        Assert.False(first.HasSameBody(null));

        static ConsulOptions WithTag(string tag)
        {
            var options = new ConsulOptions();
            options.Service.Tags.Add(tag);
            return options;
        }
    }

    [Fact]
    public void Build_NameNotDerivable_ThrowsNamingTheKey()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => RegistrationBuilder.Build(new ConsulOptions(), Endpoint, "...", "1"));

        Assert.Contains("Consul:Service:Name", ex.Message, StringComparison.Ordinal);
    }
}
