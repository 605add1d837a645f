// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Per-service fingerprints of the two datacenter-wide answers, so <see cref="DatacenterWatch"/> can tell which names
/// changed between two answers without keeping the answers. A fingerprint packs the number of items with an
/// order-independent combination (XOR) of their hashes: any added, removed or changed item changes it. The checks'
/// fingerprints are <see cref="HealthStateDigest"/>s, computed while the answer is read.
/// </summary>
internal static class DatacenterFingerprints
{
    /// <summary>Service name → fingerprint of its tags in a <c>/v1/catalog/services</c> answer (Consul deduplicates them).</summary>
    public static Dictionary<string, ulong> OfCatalog(IReadOnlyDictionary<string, IReadOnlyList<string>> services)
    {
        var prints = new Dictionary<string, ulong>(services.Count, StringComparer.Ordinal);
        foreach (var (name, tags) in services)
        {
            ulong print = HealthStateDigest.Add(0, 0); // present without tags differs from absent
            foreach (var tag in tags)
            {
                print = HealthStateDigest.Add(print, StringComparer.Ordinal.GetHashCode(tag));
            }

            prints[name] = print;
        }

        return prints;
    }

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
