// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing;

/// <summary>
/// Connect (service mesh) settings of a <see cref="ConsulTestAgent"/>: its built-in <c>consul</c> CA, leaf certificates
/// and intentions. The defaults are those of <c>consul agent -dev</c>; tests shorten the leaf lifetime and the
/// reissue delay to see renewals and rotations in seconds.
/// </summary>
public sealed class ConsulTestAgentConnectOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether Connect is enabled (Consul's <c>connect.enabled</c>). Off, the CA endpoints,
    /// leaf certificates and intention writes answer 500 <c>Connect must be enabled in order to use this endpoint</c>.
    /// </summary>
    /// <value>The default is <see langword="true"/>, as in <c>-dev</c>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets the initial <c>LeafCertTTL</c> of the CA configuration. Unlike <c>PUT /v1/connect/ca/configuration</c>,
    /// which refuses less than an hour as Consul does, this may be as short as two minutes so tests see renewals quickly
    /// (a leaf's validity starts a minute before it is issued, as Consul backdates it, so a two-minute leaf is renewed
    /// 12 to 48 seconds after issue).
    /// </summary>
    /// <value>The default is 72 hours, Consul's.</value>
    public TimeSpan LeafCertTtl { get; set; } = TimeSpan.FromHours(72);

    /// <summary>
    /// Gets or sets the longest random delay between a root change and the reissue of a cached leaf certificate to a
    /// blocked <c>/v1/agent/connect/ca/leaf</c> query (Consul spreads reissues over up to 30 seconds).
    /// </summary>
    /// <value>The default is 30 seconds; zero reissues at once.</value>
    public TimeSpan LeafReissueJitter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets Consul's <c>default_intention_policy</c>: <c>allow</c> or <c>deny</c> decide connections no intention
    /// matches, with the reason <c>Default intention policy</c>; empty leaves the decision to the ACL default policy
    /// (allow when ACLs are off), with the reason <c>Default behavior configured by ACLs</c>.
    /// </summary>
    /// <value>The default is empty, as in Consul.</value>
    public string DefaultIntentionPolicy { get; set; } = string.Empty;
}
