// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Registration;
using ServiceDiscovery.AspNetCore.Tests.Registration.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Registration;

public sealed class ServerAddressSelectorTests
{
    private static readonly FakeNetwork Machine = new("web-01", "127.0.0.1", "::1", "fe80::1", "192.168.1.20", "10.1.2.3", "2001:db8::20");

    [Theory]
    [InlineData("http://10.0.0.5:5000", "http", "10.0.0.5", 5000)]
    [InlineData("http://0.0.0.0:5000", "http", "192.168.1.20", 5000)]
    [InlineData("http://[::]:5000", "http", "192.168.1.20", 5000)]
    [InlineData("http://+:5000", "http", "192.168.1.20", 5000)]
    [InlineData("http://*:5000", "http", "192.168.1.20", 5000)]
    [InlineData("http://localhost:5000", "http", "localhost", 5000)]
    [InlineData("https://[2001:db8::7]:5001", "https", "2001:db8::7", 5001)]
    public void Select_OneBoundAddress_RegistersIt(string bound, string scheme, string host, int port)
    {
        var endpoint = ServerAddressSelector.Select([bound], new ConsulServiceOptions(), Machine);

        Assert.Equal(new AdvertisedEndpoint(scheme, host, port), endpoint);
    }

    [Fact]
    public void Select_PortZeroNotYetResolved_Skipped()
    {
        // Kestrel reports the port it got; an address still saying 0 is not one anyone can reach.
        var endpoint = ServerAddressSelector.Select(["http://127.0.0.1:0", "http://127.0.0.1:5000"], new ConsulServiceOptions(), Machine);

        Assert.Equal(5000, endpoint.Port);
    }

    [Fact]
    public void Select_HttpAndHttps_PrefersHttps()
    {
        var endpoint = ServerAddressSelector.Select(["http://10.0.0.5:5000", "https://10.0.0.5:5001"], new ConsulServiceOptions(), Machine);

        Assert.Equal(new AdvertisedEndpoint("https", "10.0.0.5", 5001), endpoint);
    }

    [Fact]
    public void Select_HttpAndHttpsWithPreferHttpsOff_PicksHttp()
    {
        var endpoint = ServerAddressSelector.Select(["https://10.0.0.5:5001", "http://10.0.0.5:5000"], new ConsulServiceOptions { PreferHttps = false }, Machine);

        Assert.Equal(new AdvertisedEndpoint("http", "10.0.0.5", 5000), endpoint);
    }

    [Fact]
    public void Select_LoopbackWildcardAndSpecific_PrefersSpecificThenWildcard()
    {
        Assert.Equal("10.0.0.5", ServerAddressSelector.Select(["http://localhost:5000", "http://[::]:5001", "http://10.0.0.5:5002"], new ConsulServiceOptions(), Machine).Host);
        Assert.Equal(new AdvertisedEndpoint("http", "192.168.1.20", 5001), ServerAddressSelector.Select(["http://127.0.0.1:5000", "http://[::]:5001"], new ConsulServiceOptions(), Machine));
    }

    [Fact]
    public void Select_PreferredNetwork_PicksAddressInIt()
    {
        var options = new ConsulServiceOptions { PreferredNetworks = { "172.16.0.0/12", "10.0.0.0/8" } };

        Assert.Equal("10.1.2.3", ServerAddressSelector.Select(["http://0.0.0.0:5000"], options, Machine).Host);
    }

    [Fact]
    public void Select_PreferredIpv6Network_OnIpv6Wildcard_PicksIpv6AndBracketsUrl()
    {
        var options = new ConsulServiceOptions { PreferredNetworks = { "2001:db8::/32" } };

        var endpoint = ServerAddressSelector.Select(["http://[::]:5000"], options, Machine);

        Assert.Equal("2001:db8::20", endpoint.Host);
        Assert.Equal("http://[2001:db8::20]:5000/health", endpoint.Url("/health"));
    }

    [Fact]
    public void Select_Ipv4WildcardOnIpv6OnlyMachine_FallsBackToLoopback()
    {
        var endpoint = ServerAddressSelector.Select(["http://0.0.0.0:5000"], new ConsulServiceOptions(), new FakeNetwork("v6", "::1", "2001:db8::20"));

        Assert.Equal("127.0.0.1", endpoint.Host);
    }

    [Fact]
    public void Select_Ipv6WildcardOnIpv6OnlyMachine_PicksGlobalIpv6NotLinkLocal()
    {
        var endpoint = ServerAddressSelector.Select(["http://[::]:5000"], new ConsulServiceOptions(), new FakeNetwork("v6", "::1", "fe80::1", "2001:db8::20"));

        Assert.Equal("2001:db8::20", endpoint.Host);
    }

    [Fact]
    public void Select_PreferIpAddressOff_RegistersHostName()
    {
        var endpoint = ServerAddressSelector.Select(["http://[::]:5000"], new ConsulServiceOptions { PreferIpAddress = false }, Machine);

        Assert.Equal("web-01", endpoint.Host);
    }

    [Fact]
    public void Select_ExplicitAddressAndPort_WinOverBinding()
    {
        var options = new ConsulServiceOptions { Address = "orders.example.com", Port = 8080 };

        var endpoint = ServerAddressSelector.Select(["https://0.0.0.0:5001"], options, Machine);

        Assert.Equal(new AdvertisedEndpoint("https", "orders.example.com", 8080), endpoint);
    }

    [Fact]
    public void Select_ExplicitBracketedIpv6Address_StoredWithoutBrackets()
    {
        var endpoint = ServerAddressSelector.Select(["http://[::]:5000"], new ConsulServiceOptions { Address = "[2001:db8::9]" }, Machine);

        Assert.Equal("2001:db8::9", endpoint.Host);
        Assert.Equal("http://[2001:db8::9]:5000/health", endpoint.Url("/health"));
    }

    [Fact]
    public void Select_NothingBoundButExplicitAddressAndPort_UsesThemOverHttp()
    {
        var endpoint = ServerAddressSelector.Select([], new ConsulServiceOptions { Address = "10.9.9.9", Port = 80 }, Machine);

        Assert.Equal(new AdvertisedEndpoint("http", "10.9.9.9", 80), endpoint);
    }

    [Fact]
    public void Select_OnlyUnixSocketBound_ThrowsNamingTheSettings()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ServerAddressSelector.Select(["http://unix:/tmp/app.sock"], new ConsulServiceOptions(), Machine));

        Assert.Contains("Consul:Service:Address", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Consul:Service:Port", ex.Message, StringComparison.Ordinal);
    }
}
