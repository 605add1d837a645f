// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography.X509Certificates;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Consul's current CA roots: the only certificates a Connect peer's chain may end in (never the machine's store).
/// Every root the agent lists is trusted, the active one and, during a rotation, the previous one, as Consul's Go SDK
/// does. Immutable; a change of roots makes a new instance.
/// </summary>
internal sealed class ConnectTrust
{
    private ConnectTrust(X509Certificate2Collection roots, string trustDomain, string activeRootId, ulong index)
    {
        Roots = roots;
        TrustDomain = trustDomain;
        ActiveRootId = activeRootId;
        Index = index;
    }

    /// <summary>Each listed root's <c>RootCert</c> (not their intermediates: a peer sends those with its leaf).</summary>
    public X509Certificate2Collection Roots { get; }

    /// <summary><c>&lt;cluster id&gt;.consul</c>.</summary>
    public string TrustDomain { get; }

    /// <summary>The root that signs new leaves.</summary>
    public string ActiveRootId { get; }

    /// <summary>The agent's <c>X-Consul-Index</c> for these roots.</summary>
    public ulong Index { get; }

    /// <summary>Parses the agent's answer. Throws <see cref="FormatException"/> naming the root that is wrong.</summary>
    public static ConnectTrust Parse(ConnectRoots source, ulong index)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Roots.Count == 0)
        {
            throw new FormatException("The agent lists no Connect CA root: nothing could be trusted. Consul's CA may not have finished initializing.");
        }

        var roots = new X509Certificate2Collection();
        foreach (var root in source.Roots)
        {
            try
            {
                roots.Add(X509Certificate2.CreateFromPem(root.RootCert));
            }
            catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                throw new FormatException($"The agent's Connect CA root '{root.ID}' ({root.Name}) is not a valid PEM certificate: {ex.Message}", ex);
            }
        }

        return new ConnectTrust(roots, source.TrustDomain ?? string.Empty, source.ActiveRootID ?? string.Empty, index);
    }
}
