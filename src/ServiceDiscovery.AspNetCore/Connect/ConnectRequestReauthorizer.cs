// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Authorizes the caller of an open Connect connection again, so that an intention changed to deny also stops
/// connections that were accepted before (pooled keep-alive and HTTP/2 connections live for minutes). A request on a
/// connection authorized less than <c>Consul:Connect:AuthorizationCacheDuration</c> ago passes after one timestamp
/// compare; an older one asks <see cref="ConnectAuthorizer"/> again (mostly its cache, else one awaited agent call).
/// A caller that is denied, whose certificate has expired since the handshake, or whose authorization fails (the
/// agent does not answer: fail closed, as at the handshake) gets 403 with the reason, never reaches the app, and its
/// connection is closed.
/// </summary>
internal sealed partial class ConnectRequestReauthorizer(
    ConnectCertificateSource source,
    ConnectAuthorizer authorizer,
    TimeProvider timeProvider,
    ConnectMetrics metrics,
    ILogger<ConnectRequestReauthorizer> logger)
{
    /// <summary>Runs <paramref name="next"/> when the request is plain HTTP or its connection's caller is (still) authorized.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (!context.Request.IsHttps)
        {
            return next(context);  // ConnectPlainHttpGate lets plain HTTP reach the health path only
        }

        var connection = ConnectCallerConnection.Of(context);
        return connection is not null && connection.IsAuthorizedAt(timeProvider.GetTimestamp())
            ? next(context)
            : AuthorizeAsync(context, next, connection);
    }

    private async Task AuthorizeAsync(HttpContext context, RequestDelegate next, ConnectCallerConnection? connection)
    {
        // A connection our handshake setup did not see (an endpoint whose own OnAuthenticate replaced ours) is
        // authorized at every request instead, through the authorizer's cache.
        connection ??= new ConnectCallerConnection();
        var target = source.ServiceName;
        var certificate = context.Features.Get<ITlsConnectionFeature>()?.ClientCertificate;
        if (certificate is null)
        {
            await RefuseAsync(context, target, "(no certificate)", "no_certificate", "the request's connection carries no Connect client certificate").ConfigureAwait(false);
            return;
        }

        var caller = connection.Caller ??= Identify(certificate);
        if (caller is null)
        {
            await RefuseAsync(context, target, certificate.Subject, "malformed_identity", "the client certificate does not name exactly one SPIFFE id").ConfigureAwait(false);
            return;
        }

        var now = timeProvider.GetUtcNow();
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        if (now >= notAfter)
        {
            metrics.Authorization(target, allowed: false, "expired", "local", ConnectAuthorizer.AtRequest);
            await RefuseAsync(context, target, caller.Uri, "expired", $"the caller's certificate (serial {caller.Serial}) expired at {notAfter:O}, after this connection was opened").ConfigureAwait(false);
            return;
        }

        var decision = await authorizer.AuthorizeAsync(target, caller.Uri, caller.Serial, ConnectAuthorizer.AtRequest, context.RequestAborted).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            connection.AuthorizeUntil(0);
            await RefuseAsync(context, target, caller.Uri, decision.Kind == ConnectDecision.AuthorizeFailed ? ConnectDecision.AuthorizeFailed : "denied", decision.Reason).ConfigureAwait(false);
            return;
        }

        // Until the answer may no longer be reused, or the certificate expires, whichever is first.
        var expiresAt = timeProvider.GetTimestamp() + (long)((notAfter - now).TotalSeconds * timeProvider.TimestampFrequency);
        connection.AuthorizeUntil(Math.Min(decision.ReusableUntil, expiresAt));
        await next(context).ConfigureAwait(false);
    }

    private async Task RefuseAsync(HttpContext context, string target, string caller, string reason, string detail)
    {
        Log.RequestRefused(logger, caller, target, reason, detail);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status403Forbidden;
        response.ContentType = "text/plain; charset=utf-8";
        if (HttpProtocol.IsHttp11(context.Request.Protocol) || HttpProtocol.IsHttp10(context.Request.Protocol))
        {
            response.Headers.Connection = "close";  // HTTP/2 has no such header: the request to close below sends GOAWAY
        }

        // Once this response is out, the server stops taking requests on this connection and closes it.
        context.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();
        await response.WriteAsync($"Connect refused {caller} calling '{target}' ({reason}): {detail}. This connection is closed.", context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The SPIFFE id and serial of a certificate the handshake accepted (exactly one URI SAN, a SPIFFE id); null otherwise.</summary>
    private static ConnectCaller? Identify(X509Certificate2 certificate)
    {
        try
        {
            return UriSubjectAlternativeNames.Read(certificate) is [var uri] && SpiffeIdParser.TryParse(uri, out var id, out _)
                ? new ConnectCaller(id.ToString(), ConnectHandshakeValidator.Serial(certificate))
                : null;
        }
        catch (Exception ex) when (ex is AsnContentException or InvalidOperationException)
        {
            return null;
        }
    }
}
