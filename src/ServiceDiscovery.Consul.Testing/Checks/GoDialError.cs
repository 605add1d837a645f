// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Sockets;

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>Go's <c>net.Dial</c> error texts, which Consul puts in a failed check's output.</summary>
internal static class GoDialError
{
    /// <summary>Formats e.g. <c>dial tcp 127.0.0.1:1: connect: connection refused</c>.</summary>
    public static string Format(SocketException error, string host, int port)
    {
        var endpoint = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]:{port}" : $"{host}:{port}";
        return error.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => $"dial tcp {endpoint}: connect: connection refused",
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => $"dial tcp: lookup {host}: no such host",
            SocketError.TimedOut => $"dial tcp {endpoint}: i/o timeout",
            SocketError.NetworkUnreachable => $"dial tcp {endpoint}: connect: network is unreachable",
            SocketError.HostUnreachable => $"dial tcp {endpoint}: connect: no route to host",
            _ => $"dial tcp {endpoint}: {error.Message}",
        };
    }
}
