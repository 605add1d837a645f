// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Digests;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Per-service fingerprints of the two datacenter-wide answers, so <see cref="DatacenterWatch"/> can tell which names
/// changed between two answers without keeping the answers. A fingerprint packs the number of items with an
/// order-independent combination (XOR) of their hashes: any added, removed or changed item changes it. They are
/// computed while each answer is read (<see cref="HealthStateDigest"/>, <see cref="CatalogServicesDigest"/>).
/// </summary>
internal static class DatacenterFingerprints
{
    /// <summary>Calls <paramref name="changed"/> for every name whose fingerprint differs (added, removed or changed).</summary>
    public static void Diff(Dictionary<string, ulong> before, Dictionary<string, ulong> after, Action<string> changed)
    {
        foreach (var (name, print) in after)
        {
            if (!before.TryGetValue(name, out var old) || old != print)
            {
                changed(name);
            }
        }

        foreach (var name in before.Keys)
        {
            if (!after.ContainsKey(name))
            {
                changed(name);
            }
        }
    }
}
