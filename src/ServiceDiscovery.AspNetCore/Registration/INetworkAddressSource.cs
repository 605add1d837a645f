// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>This machine's name and addresses, the inputs of wildcard resolution; a seam so tests choose the machine.</summary>
internal interface INetworkAddressSource
{
    /// <summary>The machine's host name.</summary>
    string GetHostName();

    /// <summary>The unicast addresses of the network interfaces that are up, in the operating system's order.</summary>
    IReadOnlyList<IPAddress> GetAddresses();
}
