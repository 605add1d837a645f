// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// A Consul call failed: Consul answered with an error status (<see cref="StatusCode"/> and Consul's plain-text
/// <see cref="ResponseBody"/>), could not be reached, timed out, or sent a body that is not what the endpoint
/// documents. <see cref="Reason"/> tells which. Never carries the ACL token.
/// </summary>
public sealed class ConsulException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ConsulException"/> class.</summary>
    public ConsulException()
        : this("A Consul call failed.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ConsulException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ConsulException(string message)
        : this(message, null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ConsulException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConsulException(string message, Exception? innerException)
        : this(message, ConsulErrorReason.ConnectionFailed, statusCode: null, responseBody: null, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ConsulException"/> class.</summary>
    /// <param name="message">The message; must not contain the ACL token.</param>
    /// <param name="reason">Why the call failed.</param>
    /// <param name="statusCode">The HTTP status Consul answered with, for <see cref="ConsulErrorReason.ApiError"/>.</param>
    /// <param name="responseBody">Consul's plain-text error body, if any.</param>
    /// <param name="innerException">The cause.</param>
    public ConsulException(string message, ConsulErrorReason reason, HttpStatusCode? statusCode, string? responseBody, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
        StatusCode = statusCode;
        ResponseBody = responseBody;
    }

    /// <summary>Gets why the call failed.</summary>
    public ConsulErrorReason Reason { get; }

    /// <summary>Gets the status Consul answered with; <see langword="null"/> when it did not answer.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>Gets Consul's plain-text error body (e.g. <c>Permission denied...</c>, <c>ACL not found</c>, <c>Missing service name</c>).</summary>
    public string? ResponseBody { get; }
}
