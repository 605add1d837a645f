// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Per-service fingerprints of the two datacenter-wide answers, so <see cref="DatacenterWatch"/> can tell which names
/// changed between two answers without keeping the answers. A fingerprint packs the number of items with an
/// order-independent combination (XOR) of their hashes: any added, removed or changed item changes it.
/// </summary>
internal static class DatacenterFingerprints
{
    /// <summary>
    /// Service name → fingerprint of its checks in a <c>/v1/health/state/any</c> answer (node, service ID, check ID,
    /// status, output, modify index). Node checks (no service name) are left out: they are not any name's own.
    /// </summary>
    public static Dictionary<string, ulong> OfChecks(IReadOnlyList<HealthCheck> checks)
    {
        var prints = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var check in checks)
        {
            if (string.IsNullOrEmpty(check.ServiceName))
            {
                continue;
            }

            var hash = HashCode.Combine(check.Node, check.ServiceID, check.CheckID, check.Status, check.Output, check.ModifyIndex);
            prints[check.ServiceName] = Add(prints.GetValueOrDefault(check.ServiceName), hash);
        }

        return prints;
    }

    /// <summary>Service name → fingerprint of its tags in a <c>/v1/catalog/services</c> answer (Consul deduplicates them).</summary>
    public static Dictionary<string, ulong> OfCatalog(IReadOnlyDictionary<string, IReadOnlyList<string>> services)
    {
        var prints = new Dictionary<string, ulong>(services.Count, StringComparer.Ordinal);
        foreach (var (name, tags) in services)
        {
            ulong print = Add(0, 0); // present without tags differs from absent
            foreach (var tag in tags)
            {
                print = Add(print, StringComparer.Ordinal.GetHashCode(tag));
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

    private static ulong Add(ulong print, int hash) => ((print >> 32) + 1) << 32 | ((uint)print ^ (uint)hash);
}
