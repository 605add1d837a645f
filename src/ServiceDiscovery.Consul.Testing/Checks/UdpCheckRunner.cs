// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>
/// Consul's <c>CheckUDP</c>: sends a datagram and waits up to the timeout (default 10 s) for one byte back. A reply
/// or silence is passing (<c>UDP connect host:port: Success</c>); an error, such as the ICMP port-unreachable that
/// surfaces as "connection refused", is critical with Go's error text.
/// </summary>
internal sealed class UdpCheckRunner(CheckRecord check, LocalAgentState agent, TimeProvider time, ILogger logger)
    : IntervalCheckRunner(check, agent, time, logger)
{
    protected override async Task<(string Status, string Output)> ProbeAsync(CancellationToken cancellationToken)
    {
        var target = Check.Definition!.Udp;
        var colon = target.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(target[(colon + 1)..], out var port))
        {
            return ("critical", $"dial udp: address {target}: missing port in address");
        }

        var host = target[..colon].Trim('[', ']');
        IPAddress address;
        try
        {
            address = IPAddress.TryParse(host, out var literal) ? literal
                : (await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false))[0];
        }
        catch (SocketException)
        {
            return ("critical", $"dial udp: lookup {host}: no such host");
        }

        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var timeoutSource = new CancellationTokenSource(ProbeTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        var remote = new IPEndPoint(address, port);
        try
        {
            await socket.ConnectAsync(remote, cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(ReadOnlyMemory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            await socket.ReceiveAsync(new byte[1], SocketFlags.None, linked.Token).ConfigureAwait(false);
            return ("passing", $"UDP connect {target}: Success");
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // No answer within the timeout: Consul reads "i/o timeout" as success.
            return ("passing", $"UDP connect {target}: Success");
        }
        catch (SocketException ex)
        {
            var local = socket.LocalEndPoint?.ToString() ?? string.Empty;
            var reason = ex.SocketErrorCode == SocketError.ConnectionRefused ? "connection refused" : ex.Message.ToLowerInvariant();
            return ("critical", $"read udp {local}->{remote}: read: {reason}");
        }
    }
}
