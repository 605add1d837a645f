// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.NetworkInformation;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>The real machine: <see cref="Dns.GetHostName"/> and the unicast addresses of interfaces that are up.</summary>
internal sealed class SystemNetworkAddressSource : INetworkAddressSource
{
    public string GetHostName() => Dns.GetHostName();

    public IReadOnlyList<IPAddress> GetAddresses()
    {
        var addresses = new List<IPAddress>();
        foreach (var networkInterface in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (networkInterface.OperationalStatus != OperationalStatus.Up)
            {
                continue;
            }

            foreach (var unicast in networkInterface.GetIPProperties().UnicastAddresses)
            {
                addresses.Add(unicast.Address);
            }
        }

        return addresses;
    }
}
