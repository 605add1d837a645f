// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>
/// Remembers which instances were already reported as skipped because their <c>scheme</c> meta names a protocol
/// HttpClient cannot speak (<c>grpc</c>, <c>tcp</c>, ...), so each is warned about once per process, not per request.
/// </summary>
internal sealed class UnusableSchemeReport
{
    private readonly ConcurrentDictionary<(string ServiceName, string Id, string Scheme), byte> _reported = new();

    /// <summary>The instances of <paramref name="all"/> left out of <paramref name="usable"/> and not reported before.</summary>
    public IEnumerable<ConsulServiceInstance> FirstSkips(ConsulServiceInstances all, ConsulServiceInstances usable)
    {
        if (usable.Count == all.Count)
        {
            yield break;
        }

        foreach (var instance in all)
        {
            if (!InstanceSchemes.IsHttp(instance) && _reported.TryAdd((all.ServiceName, instance.Id, instance.Scheme), 0))
            {
                yield return instance;
            }
        }
    }
}
