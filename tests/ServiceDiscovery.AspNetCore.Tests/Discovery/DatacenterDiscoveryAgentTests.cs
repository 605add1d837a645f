// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>The public behaviour of <see cref="DiscoveryAgentTests"/>, with every name fed by the datacenter watch.</summary>
public sealed class DatacenterDiscoveryAgentTests : DiscoveryAgentTests
{
    protected override ConsulWatchMode Mode => ConsulWatchMode.Datacenter;
}
