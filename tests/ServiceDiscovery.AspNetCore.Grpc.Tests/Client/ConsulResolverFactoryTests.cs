// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Grpc.Core;
using Grpc.Net.Client;
using ServiceDiscovery.AspNetCore.Grpc.Client;
using ServiceDiscovery.AspNetCore.Grpc.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Grpc.Tests.Client;

public sealed class ConsulResolverFactoryTests
{
    [Theory]
    [InlineData("consul://catalog", "catalog")]
    [InlineData("consul:///catalog", "catalog")]
    [InlineData("consul://catalog/", "catalog")]
    [InlineData("consul://Catalog-Grpc", "catalog-grpc")]
    public void ServiceName_ConsulAddress_TheServiceName(string address, string expected)
        => Assert.Equal(expected, ConsulResolverFactory.ServiceName(new Uri(address)));

    [Theory]
    [InlineData("consul://catalog:5000", "names port 5000; Consul gives each instance's port. Use consul://catalog.")]
    [InlineData("consul://catalog/v1", "does not name one Consul service. Use consul://{service}")]
    [InlineData("consul:///", "does not name one Consul service")]
    [InlineData("consul://catalog?tag=v2", "has a query or fragment, which the consul scheme does not read. Set tags, datacenter and filters per service under Consul:Discovery:Services:catalog.")]
    public void ServiceName_BadAddress_ErrorNamingTheAddressAndTheFix(string address, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => ConsulResolverFactory.ServiceName(new Uri(address)));
        Assert.Contains($"The gRPC address '{address}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_ChannelWithoutCredentials_ErrorNamingTheSetting()
    {
        using var harness = new ResolverHarness(new FakeDiscovery());

        var error = Assert.Throws<InvalidOperationException>(() =>
            harness.Factory.Create(ResolverHarness.Options(new Uri("consul://catalog"), new GrpcChannelOptions())));

        Assert.Equal(
            "The gRPC channel to 'consul://catalog' has no credentials. Set GrpcChannelOptions.Credentials: ChannelCredentials.Insecure to call instances over plaintext HTTP/2 (h2c), ChannelCredentials.SecureSsl to call them over TLS.",
            error.Message);
    }

    [Fact]
    public void Create_ResolverServiceConfigDisabled_NoServiceConfigPublished()
    {
        var channel = new GrpcChannelOptions { Credentials = ChannelCredentials.Insecure, DisableResolverServiceConfig = true };
        using var harness = new ResolverHarness(new FakeDiscovery(FakeDiscovery.Instance("a", 5001)), channel);

        harness.Start();

        Assert.Null(harness.Last.ServiceConfig);
    }

    [Fact]
    public void IsSecure_EachKindOfCredentials_AsGrpcNetClientReadsThem()
    {
        Assert.Null(ChannelSecurity.IsSecure(null));
        Assert.False(ChannelSecurity.IsSecure(ChannelCredentials.Insecure));
        Assert.True(ChannelSecurity.IsSecure(ChannelCredentials.SecureSsl));
        Assert.True(ChannelSecurity.IsSecure(ChannelCredentials.Create(ChannelCredentials.SecureSsl, CallCredentials.FromInterceptor((_, _) => Task.CompletedTask))));
    }
}
