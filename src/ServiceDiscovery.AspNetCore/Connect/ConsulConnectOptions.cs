// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// Connect-native mTLS (<c>Consul:Connect</c>, docs/connect.md): the app serves HTTPS with the certificate Consul's CA
/// issues it, accepts only callers whose certificate chains to Consul's roots and whom Consul's intentions allow, and
/// registers as a Connect-native service. Takes effect with <c>AddConsulConnect()</c>.
/// </summary>
public sealed class ConsulConnectOptions
{
    /// <summary>Gets or sets a value indicating whether the app takes part in Connect. Read once at start-up.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Enabled { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the app only calls Connect-native services and serves none itself (an
    /// edge gateway): it gets its leaf certificate and calls Connect-native instances over mTLS, but its own endpoints
    /// are left as they are (no client certificate required, no plain-HTTP restriction) and, if it registers, it does
    /// not register as Connect-native. Applies when <see cref="Enabled"/> is true.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool ClientOnly { get; set; }

    /// <summary>Gets a value indicating whether the app's own endpoints serve Connect mTLS (enabled, not client only).</summary>
    internal bool ServesMutualTls => Enabled && !ClientOnly;

    /// <summary>
    /// Gets or sets how long an authorization answer from Consul is reused for the same caller service, for new
    /// connections and for the requests of connections already open (each is authorized again once it has passed). It
    /// bounds how late a changed intention takes effect; <see cref="TimeSpan.Zero"/> asks Consul on every handshake and
    /// every request.
    /// </summary>
    /// <value>The default is 500 milliseconds; at most 1 minute.</value>
    public TimeSpan AuthorizationCacheDuration { get; set; } = TimeSpan.FromMilliseconds(500);
}
