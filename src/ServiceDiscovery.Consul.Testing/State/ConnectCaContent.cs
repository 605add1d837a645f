// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The built-in CA as a snapshot holds it (Consul persists the roots, the provider state with the active key, and the
/// CA configuration): the cluster ID, the serial counter, the configuration with its indexes, and every root still
/// listed with its signing key, so a restored CA answers the same roots and signs with the same key.
/// </summary>
internal sealed record ConnectCaContent(
    string ClusterId,
    ulong Serial,
    ulong RootsIndex,
    CaSettings Settings,
    JsonObject Config,
    bool ForceWithoutCrossSigning,
    ulong ConfigCreateIndex,
    ulong ConfigModifyIndex,
    IReadOnlyList<CaRoot> Roots) : IDisposable
{
    /// <summary>Releases the roots' certificates and keys: for content that no CA took over.</summary>
    public void Dispose()
    {
        foreach (var root in Roots)
        {
            root.Certificate.Dispose();
            root.SigningKey.Dispose();
        }
    }
}
