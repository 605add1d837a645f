// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using ServiceDiscovery.AspNetCore.Registration;

namespace ServiceDiscovery.AspNetCore.Tests.Registration.Fakes;

/// <summary>A machine with the given host name and interface addresses.</summary>
internal sealed class FakeNetwork(string hostName, params string[] addresses) : INetworkAddressSource
{
    public string GetHostName() => hostName;

    public IReadOnlyList<IPAddress> GetAddresses() => [.. addresses.Select(IPAddress.Parse)];
}
