// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Sockets;
using System.Text;

/// <summary>A request the loopback stand-in for Consul received: its head (request line and headers) and its body.</summary>
internal sealed record ReceivedRequest(string Head, string Body);

/// <summary>A stand-in for Consul on a loopback socket: answers one request per connection, in order, with the canned answers given.</summary>
internal static class LoopbackConsul
{
    public static async Task<IReadOnlyList<ReceivedRequest>> ServeAsync(TcpListener listener, params (int Status, string Body)[] answers)
    {
        var received = new List<ReceivedRequest>();
        foreach (var (status, body) in answers)
        {
            using var socket = await listener.AcceptTcpClientAsync();
            var stream = socket.GetStream();
            received.Add(await ReadRequestAsync(stream));
            var payload = Encoding.UTF8.GetBytes(body);
            var reason = status == 200 ? "OK" : "Not Found";
            var head = $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nX-Consul-Index: 42\r\nX-Consul-KnownLeader: true\r\nContent-Length: {payload.Length}\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(payload);
        }

        return received;
    }

    private static async Task<ReceivedRequest> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new byte[8192];
        var bytes = new List<byte>();
        int headEnd;
        while ((headEnd = IndexOfBlankLine(bytes)) < 0)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                return new ReceivedRequest(Encoding.ASCII.GetString([.. bytes]), string.Empty);
            }

            bytes.AddRange(buffer.AsSpan(0, read));
        }

        var head = Encoding.ASCII.GetString([.. bytes], 0, headEnd);
        var length = ContentLength(head);
        while (bytes.Count - (headEnd + 4) < length)
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                break;
            }

            bytes.AddRange(buffer.AsSpan(0, read));
        }

        var bodyLength = Math.Min(length, bytes.Count - (headEnd + 4));
        return new ReceivedRequest(head, Encoding.UTF8.GetString([.. bytes], headEnd + 4, bodyLength));
    }

    private static int IndexOfBlankLine(List<byte> bytes)
    {
        for (var i = 0; i + 3 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n' && bytes[i + 2] == '\r' && bytes[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private static int ContentLength(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            const string name = "Content-Length:";
            if (line.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                return int.Parse(line.AsSpan(name.Length).Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
