// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Sockets;

namespace ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

/// <summary>Loopback ports for tests that need a refused connection.</summary>
internal static class LoopbackPort
{
    /// <summary>A port nothing listens on: one the OS just handed out and took back.</summary>
    public static int Closed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
