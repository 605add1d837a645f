// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>
/// Consul's <c>CheckHTTP</c> (§9): a real request on every interval, the first after a random stagger within the
/// interval; 2xx is passing, 429 warning, anything else critical, with Consul's output text.
/// </summary>
internal sealed class HttpCheckRunner(CheckRecord check, LocalAgentState agent, HttpClient client, TimeProvider time, ILogger logger)
    : IntervalCheckRunner(check, agent, time, logger)
{
    /// <summary>Formats <c>HTTP GET url: 200 OK Output: body</c>, keeping only the last <paramref name="max"/> body bytes.</summary>
    internal static string FormatOutput(string method, string url, int status, string? reason, byte[] body, int max)
    {
        var start = Math.Max(0, body.Length - max);
        var text = Encoding.UTF8.GetString(body, start, body.Length - start);
        var phrase = string.IsNullOrEmpty(reason) ? StatusText(status) : reason;
        return $"HTTP {method} {url}: {status} {phrase} Output: {text}";
    }

    protected override async Task<(string Status, string Output)> ProbeAsync(CancellationToken cancellationToken)
    {
        var d = Check.Definition!;
        var method = d.Method.Length > 0 ? d.Method : "GET";
        var url = d.Http;
        using var timeoutSource = new CancellationTokenSource(ProbeTimeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        try
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            request.Headers.ConnectionClose = true;
            if (d.Body.Length > 0)
            {
                request.Content = new StringContent(d.Body, Encoding.UTF8);
                request.Content.Headers.ContentType = null;
            }

            var userAgentSet = false;
            var acceptSet = false;
            foreach (var (name, values) in d.Header)
            {
                if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) && values.Count > 0)
                {
                    request.Headers.Host = values[0];
                    continue;
                }

                userAgentSet |= name.Equals("User-Agent", StringComparison.OrdinalIgnoreCase);
                acceptSet |= name.Equals("Accept", StringComparison.OrdinalIgnoreCase);
                if (!request.Headers.TryAddWithoutValidation(name, values))
                {
                    request.Content ??= new ByteArrayContent([]);
                    request.Content.Headers.TryAddWithoutValidation(name, values);
                }
            }

            if (!userAgentSet)
            {
                request.Headers.TryAddWithoutValidation("User-Agent", "Consul Health Check");
            }

            if (!acceptSet)
            {
                request.Headers.TryAddWithoutValidation("Accept", "text/plain, text/*, */*");
            }

            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var body = await ReadTailAsync(response, Check.OutputMaxSize, linked.Token).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            var output = FormatOutput(method, url, code, response.ReasonPhrase, body, Check.OutputMaxSize);
            var status = code is >= 200 and <= 299 ? "passing" : code == 429 ? "warning" : "critical";
            return (status, output);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ("critical", $"{GoOp(method)} \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            return ("critical", $"{GoOp(method)} \"{url}\": {DescribeTransportError(ex, url)}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or UriFormatException or NotSupportedException)
        {
            return ("critical", $"{GoOp(method)} \"{url}\": {ex.Message}");
        }
    }

    private static async Task<byte[]> ReadTailAsync(HttpResponseMessage response, int max, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            var all = buffer.ToArray();
            return all.Length <= max ? all : all[^max..];
        }
    }

    // Go's url.Error prints the method as "Get", "Post", ...
    private static string GoOp(string method) =>
        method.Length == 0 ? method : method[..1].ToUpperInvariant() + method[1..].ToLowerInvariant();

    private static string DescribeTransportError(HttpRequestException ex, string url)
    {
        if (ex.InnerException is SocketException socket && Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return GoDialError.Format(socket, uri.IdnHost, uri.Port);
        }

        return ex.HttpRequestError == HttpRequestError.ResponseEnded ? "EOF" : ex.Message;
    }

    private static string StatusText(int code) => code switch
    {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => ((HttpStatusCode)code).ToString(),
    };
}
