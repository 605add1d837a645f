// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.ServiceDiscovery;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.ServiceEndpointProvider;

namespace ServiceDiscovery.AspNetCore.Tests.Http;

public sealed class ConsulServiceEndpointProviderTests
{
    private readonly FakeServiceDiscovery _discovery = new();
    private readonly ConnectEndpoints _connect = new();

    [Theory]
    [InlineData("http://catalog", true)]
    [InlineData("https+http://catalog", true)]
    [InlineData("catalog", true)]
    [InlineData("http://catalog.example.com", false)]
    [InlineData("http://localhost", false)]
    [InlineData("http://127.0.0.1", false)]
    [InlineData("http://[::1]", false)]
    [InlineData("http://_grpc.catalog", false)] // a named endpoint: Consul has none, so it is left to other providers
    public void TryCreateProvider_TakesConsulServiceNamesOnly(string input, bool expected)
    {
        var factory = new ConsulServiceEndpointProviderFactory(_discovery, _connect);

        Assert.Equal(expected, factory.TryCreateProvider(Query(input), out var provider));
        Assert.Equal(expected, provider is not null);
    }

    [Fact]
    public async Task PopulateAsync_PlainHttp_IpEndpointsForHttpAndUriEndpointsForHttpsInstances()
    {
        _discovery.Set("catalog", Instances.Of(Instances.One("a", port: 5001), Instances.One("b", port: 5443, scheme: "https")));

        var builder = await PopulateAsync("http://catalog");

        Assert.Collection(
            builder.Endpoints,
            e => Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5001), e.EndPoint),
            e => Assert.Equal(new Uri("https://127.0.0.1:5443/"), Assert.IsType<UriEndPoint>(e.EndPoint).Uri));
    }

    [Fact]
    public async Task PopulateAsync_PlainHttp_LeavesOutInstancesHttpClientCannotSpeak()
    {
        _discovery.Set("catalog", Instances.Of(Instances.One("a", port: 5001), Instances.One("rpc", port: 5002, scheme: "grpc")));

        var builder = await PopulateAsync("http://catalog");

        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5001), Assert.Single(builder.Endpoints).EndPoint);
    }

    [Fact]
    public async Task PopulateAsync_HttpsPlusHttp_HttpsInstancesWhenAnyElseHttpOnesCarryingTheirScheme()
    {
        _discovery.Set("catalog", Instances.Of(Instances.One("a", port: 5001), Instances.One("b", port: 5443, scheme: "https")));
        _discovery.Set("orders", Instances.Of(Instances.One("o", port: 6001, service: "orders")));

        var catalog = await PopulateAsync("https+http://catalog");
        var orders = await PopulateAsync("https+http://orders");

        // Consumers call a plain endpoint with the query's first scheme (https here): the https instance stays plain,
        // the http fallback must say http itself.
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5443), Assert.Single(catalog.Endpoints).EndPoint);
        Assert.Equal(new Uri("http://127.0.0.1:6001/"), Assert.IsType<UriEndPoint>(Assert.Single(orders.Endpoints).EndPoint).Uri);
    }

    [Fact]
    public async Task PopulateAsync_Https_NoPlainHttpInstance()
    {
        _discovery.Set("orders", Instances.Of(Instances.One("o", port: 6001, service: "orders")));

        var builder = await PopulateAsync("https://orders");

        Assert.Empty(builder.Endpoints);
        Assert.Single(builder.ChangeTokens); // still watched: an https instance may come
    }

    [Fact]
    public async Task PopulateAsync_PublishesTheSnapshotsChangeToken()
    {
        using var changed = new CancellationTokenSource();
        var token = new CancellationChangeToken(changed.Token);
        _discovery.Set("catalog", new ConsulServiceInstances("catalog", [Instances.One("a", port: 5001)], changeToken: token));

        var builder = await PopulateAsync("http://catalog");

        Assert.Same(token, Assert.Single(builder.ChangeTokens));
    }

    [Fact]
    public async Task PopulateAsync_ConnectNativeInstance_IsPublishedAsHttpsOnly_AndRecordedForTheConnectHandler_UntilItLeaves()
    {
        // Even one whose scheme metadata says http: a Connect-native instance is never handed out for plain text.
        var native = new ConsulServiceInstance("n", "catalog", "127.0.0.1", 8443, "http", datacenter: "dc1") { IsConnectNative = true };
        _discovery.Set("catalog", Instances.Of(Instances.One("a", port: 5001), native));

        var builder = await PopulateAsync("http://catalog");

        Assert.Collection(
            builder.Endpoints,
            e => Assert.Equal(new IPEndPoint(IPAddress.Loopback, 5001), e.EndPoint),
            e => Assert.Equal(new Uri("https://127.0.0.1:8443/"), Assert.IsType<UriEndPoint>(e.EndPoint).Uri));
        Assert.True(_connect.TryFind(new Uri("https://127.0.0.1:8443/items"), out var found));
        Assert.Same(native, found);
        Assert.False(_connect.TryFind(new Uri("http://127.0.0.1:5001/items"), out _));

        _discovery.Set("catalog", Instances.Of(Instances.One("a", port: 5001)));
        await PopulateAsync("http://catalog");

        Assert.False(_connect.TryFind(new Uri("https://127.0.0.1:8443/items"), out _));
        Assert.True(_connect.IsEmpty);
    }

    private async Task<FakeEndpointBuilder> PopulateAsync(string input)
    {
        var factory = new ConsulServiceEndpointProviderFactory(_discovery, _connect);
        Assert.True(factory.TryCreateProvider(Query(input), out var provider));
        var builder = new FakeEndpointBuilder();
        await provider.PopulateAsync(builder, TestContext.Current.CancellationToken);
        await provider.DisposeAsync();
        return builder;
    }

    private static ServiceEndpointQuery Query(string input)
    {
        Assert.True(ServiceEndpointQuery.TryParse(input, out var query));
        return query;
    }

    private sealed class FakeEndpointBuilder : IServiceEndpointBuilder
    {
        public List<IChangeToken> ChangeTokens { get; } = [];

        public IList<ServiceEndpoint> Endpoints { get; } = new List<ServiceEndpoint>();

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public void AddChangeToken(IChangeToken changeToken) => ChangeTokens.Add(changeToken);
    }
}
