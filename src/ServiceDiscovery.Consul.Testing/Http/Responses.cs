// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>How Consul's HTTP layer writes: compact JSON (indented with <c>?pretty</c>), or plain-text errors.</summary>
internal static class Responses
{
    // Go leaves quotes and non-ASCII text as they are; the default encoder would write \u0027 for "'".
    private static readonly JavaScriptEncoder GoLikeEncoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>
    /// Writes a JSON body built by <paramref name="write"/>. A <c>-dev</c> agent always indents (4 spaces and a
    /// trailing newline), as others do for <c>?pretty</c>.
    /// </summary>
    public static async Task WriteJsonAsync(AgentRequest request, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK)
    {
        const bool pretty = true;
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = pretty, IndentSize = 4, Encoder = GoLikeEncoder }))
        {
            write(writer);
        }

        var response = request.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        buffer.Write("\n"u8);

        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, request.Aborted).ConfigureAwait(false);
    }

    /// <summary>Writes a plain-text error as <c>fmt.Fprint</c> does: no trailing newline, sniffed content type.</summary>
    public static Task WriteErrorAsync(HttpContext context, int status, string message) =>
        WriteTextAsync(context, status, message, "text/plain; charset=utf-8");

    /// <summary>Writes as Go's <c>http.Error</c>: a trailing newline and <c>X-Content-Type-Options: nosniff</c>.</summary>
    public static Task WriteHttpErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.Headers["X-Content-Type-Options"] = "nosniff";
        return WriteTextAsync(context, status, message + "\n", "text/plain; charset=utf-8");
    }

    public static async Task WriteTextAsync(HttpContext context, int status, string text, string? contentType)
    {
        var response = context.Response;
        response.StatusCode = status;
        if (contentType is not null)
        {
            response.ContentType = contentType;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        response.ContentLength = bytes.Length;
        if (bytes.Length > 0)
        {
            await response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>Writes a binary body (a snapshot archive) with its length and type.</summary>
    public static async Task WriteBytesAsync(AgentRequest request, int status, byte[] body, string contentType)
    {
        var response = request.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, request.Aborted).ConfigureAwait(false);
    }

    /// <summary>200 with an empty body: what register, deregister, maintenance and TTL updates return.</summary>
    public static void WriteEmpty(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentLength = 0;
    }
}
