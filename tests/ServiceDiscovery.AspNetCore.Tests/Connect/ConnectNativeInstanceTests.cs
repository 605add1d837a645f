// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>How the Connect-native flag travels from Consul's health answer to the instance the handler sees.</summary>
public sealed class ConnectNativeInstanceTests
{
    [Fact]
    public void HealthAnswerConnectNativeMarksTheInstance()
    {
        var native = Map(new AgentServiceConnect(Native: true));
        var plain = Map(null);
        Assert.True(native.IsConnectNative);
        Assert.False(plain.IsConnectNative);

        // An instance turning Connect-native is a change, not the same instance kept across updates.
        Assert.False(native.HasSameContent(plain));
        Assert.True(native.HasSameContent(Map(new AgentServiceConnect(Native: true))));
    }

    private static ConsulServiceInstance Map(AgentServiceConnect? connect)
    {
        var entry = new ServiceEntry(
            new Node { Name = "node-1", Address = "127.0.0.1", Datacenter = "dc1" },
            new NodeService { ID = "catalog-1", Service = "catalog", Port = 8443, Connect = connect },
            []);
        return Assert.Single(ServiceInstanceMapper.Map("catalog", [entry], DiscoveryQuery.Create("catalog", new ConsulOptions()), previous: null));
    }
}
