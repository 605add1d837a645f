// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// What one Connect mTLS connection knows of its caller: who it is (SPIFFE id and certificate serial, read from the
/// client certificate at its first request) and until when its last authorization holds. Put in the connection's
/// items before its TLS handshake (<see cref="ConnectKestrelSetup"/>), so requests only read the items (HTTP/2
/// streams run concurrently) and <see cref="ConnectRequestReauthorizer"/> can tell with one timestamp compare whether
/// the connection must be authorized again.
/// </summary>
internal sealed class ConnectCallerConnection
{
    /// <summary>The key of the connection's items entry.</summary>
    private static readonly object Key = new();

    private long _authorizedUntil;

    /// <summary>The caller's SPIFFE id and serial once read; the certificate does not change during a connection.</summary>
    public ConnectCaller? Caller { get; set; }

    /// <summary>Puts a new, not yet authorized, state on <paramref name="connection"/>.</summary>
    public static void Attach(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        connection.Items[Key] = new ConnectCallerConnection();
    }

    /// <summary>The state of the connection <paramref name="context"/> arrived on; null when none was attached.</summary>
    public static ConnectCallerConnection? Of(HttpContext context)
        => context.Features.Get<IConnectionItemsFeature>()?.Items is { } items && items.TryGetValue(Key, out var state)
            ? state as ConnectCallerConnection
            : null;

    /// <summary>Whether the last authorization still holds at <paramref name="timestamp"/> (a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public bool IsAuthorizedAt(long timestamp) => timestamp < Volatile.Read(ref _authorizedUntil);

    /// <summary>Records that the caller is authorized until <paramref name="timestamp"/>; 0 makes the next request check again.</summary>
    public void AuthorizeUntil(long timestamp) => Volatile.Write(ref _authorizedUntil, timestamp);
}
