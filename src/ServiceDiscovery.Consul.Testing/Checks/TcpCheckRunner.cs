// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>Consul's <c>CheckTCP</c>: passing when a TCP connection to <c>host:port</c> opens within the timeout.</summary>
internal sealed class TcpCheckRunner(CheckRecord check, LocalAgentState agent, TimeProvider time, ILogger logger)
    : IntervalCheckRunner(check, agent, time, logger)
{
    protected override async Task<(string Status, string Output)> ProbeAsync(CancellationToken cancellationToken)
    {
        var target = Check.Definition!.Tcp;
        if (!TrySplitHostPort(target, out var host, out var port))
        {
            return ("critical", $"dial tcp: address {target}: missing port in address");
        }

        using var timeoutSource = new CancellationTokenSource(ProbeTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, linked.Token).ConfigureAwait(false);
            return ("passing", $"TCP connect {target}: Success");
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ("critical", $"dial tcp {target}: i/o timeout");
        }
        catch (SocketException ex)
        {
            return ("critical", GoDialError.Format(ex, host, port));
        }
    }

    private static bool TrySplitHostPort(string target, out string host, out int port)
    {
        var colon = target.LastIndexOf(':');
        host = colon > 0 ? target[..colon].Trim('[', ']') : string.Empty;
        port = 0;
        return colon > 0 && int.TryParse(target[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port);
    }
}
