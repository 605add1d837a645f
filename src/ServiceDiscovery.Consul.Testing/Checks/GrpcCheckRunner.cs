// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>
/// Consul's <c>CheckGRPC</c>: calls <c>grpc.health.v1.Health/Check</c> over HTTP/2 (h2c, or TLS with
/// <c>GRPCUseTLS</c>) for <c>host:port[/service]</c>. SERVING is passing (<c>gRPC check target: success</c>);
/// another status, a gRPC error or a transport error is critical with grpc-go's texts. HealthCheckRequest and
/// HealthCheckResponse are encoded by hand (one string field, one enum field).
/// </summary>
internal sealed class GrpcCheckRunner(CheckRecord check, LocalAgentState agent, HttpClient client, bool useTls, TimeProvider time, ILogger logger)
    : IntervalCheckRunner(check, agent, time, logger)
{
    private static readonly string[] ServingStatusNames = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

    private static readonly string[] CodeNames =
    [
        "OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied",
        "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable",
        "DataLoss", "Unauthenticated",
    ];

    protected override async Task<(string Status, string Output)> ProbeAsync(CancellationToken cancellationToken)
    {
        var target = Check.Definition!.Grpc;
        var slash = target.IndexOf('/', StringComparison.Ordinal);
        var server = slash < 0 ? target : target[..slash];
        var service = slash < 0 ? string.Empty : target[(slash + 1)..];
        using var timeoutSource = new CancellationTokenSource(ProbeTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{(useTls ? "https" : "http")}://{server}/grpc.health.v1.Health/Check")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(Frame(EncodeRequest(service))),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, linked.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(linked.Token).ConfigureAwait(false);
            var grpcStatus = Header(response, "grpc-status");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return ("critical", $"rpc error: code = Unknown desc = unexpected HTTP status code received from server: {(int)response.StatusCode} ({response.ReasonPhrase})");
            }

            if (grpcStatus is { Length: > 0 } code && code != "0")
            {
                var name = int.TryParse(code, out var n) && n < CodeNames.Length ? CodeNames[n] : $"Code({code})";
                return ("critical", $"rpc error: code = {name} desc = {Uri.UnescapeDataString(Header(response, "grpc-message") ?? string.Empty)}");
            }

            var status = DecodeStatus(body);
            return status == 1
                ? ("passing", $"gRPC check {target}: success")
                : ("critical", $"gRPC {target} serving status: {(status < ServingStatusNames.Length ? ServingStatusNames[status] : status.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ("critical", "rpc error: code = DeadlineExceeded desc = context deadline exceeded");
        }
        catch (HttpRequestException ex)
        {
            var reason = ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
                ? $"dial tcp {server}: connect: connection refused"
                : ex.Message;
            return ("critical", $"rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: {reason}\"");
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.TryGetValues(name, out var t) ? t.FirstOrDefault()
        : response.Headers.TryGetValues(name, out var h) ? h.FirstOrDefault() : null;

    /// <summary>HealthCheckRequest { string service = 1; }.</summary>
    private static byte[] EncodeRequest(string service)
    {
        if (service.Length == 0)
        {
            return [];
        }

        var bytes = Encoding.UTF8.GetBytes(service);
        using var message = new MemoryStream();
        message.WriteByte(0x0A);
        for (var length = (uint)bytes.Length; ; length >>= 7)
        {
            if (length < 0x80)
            {
                message.WriteByte((byte)length);
                break;
            }

            message.WriteByte((byte)((length & 0x7F) | 0x80));
        }

        message.Write(bytes);
        return message.ToArray();
    }

    /// <summary>The gRPC length-prefixed message: no compression, 4-byte big-endian length.</summary>
    private static byte[] Frame(byte[] message)
    {
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        return framed;
    }

    /// <summary>HealthCheckResponse { ServingStatus status = 1; }: the status, 0 (UNKNOWN) when absent.</summary>
    private static int DecodeStatus(byte[] body)
    {
        if (body.Length < 5)
        {
            return 0;
        }

        var span = body.AsSpan(5, (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1)), (uint)(body.Length - 5)));
        var status = 0;
        var i = 0;
        while (i < span.Length)
        {
            var key = ReadVarint(span, ref i);
            var wireType = (int)(key & 7);
            if (wireType == 0)
            {
                var value = ReadVarint(span, ref i);
                if (key >> 3 == 1)
                {
                    status = (int)value;
                }
            }
            else if (wireType == 2)
            {
                i += (int)ReadVarint(span, ref i);
            }
            else
            {
                i += wireType == 1 ? 8 : 4;
            }
        }

        return status;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int i)
    {
        ulong value = 0;
        for (var shift = 0; i < span.Length && shift < 64; shift += 7)
        {
            var b = span[i++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                break;
            }
        }

        return value;
    }
}
