// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>
/// The instances of a service a caller may use given the schemes it accepts (<see cref="ServiceUri.PreferredSchemes"/>):
/// those serving the first accepted scheme that any instance serves. Views are computed once per discovery snapshot and
/// URI scheme, so the request path reads them without allocating.
/// </summary>
internal static class InstanceSchemes
{
    private static readonly ConditionalWeakTable<ConsulServiceInstances, Views> ViewsBySnapshot = [];

    /// <summary>
    /// The cached view of <paramref name="instances"/> for URIs of scheme <paramref name="uriScheme"/>; with no
    /// <paramref name="schemes"/> (a plain <c>http://</c> URI), every instance HttpClient can speak to (http or https).
    /// </summary>
    public static ConsulServiceInstances View(ConsulServiceInstances instances, string uriScheme, string[]? schemes)
        => ViewsBySnapshot.GetValue(instances, static list => new Views(list)).Get(uriScheme, schemes);

    /// <summary>Whether HttpClient can call the instance: its scheme is http or https (not e.g. grpc).</summary>
    public static bool IsHttp(ConsulServiceInstance instance) => instance.Scheme is "http" or "https";

    /// <summary>The instances served over http or https; <paramref name="instances"/> itself when that is all of them.</summary>
    public static ConsulServiceInstances HttpOnly(ConsulServiceInstances instances)
    {
        foreach (var instance in instances)
        {
            if (!IsHttp(instance))
            {
                return new ConsulServiceInstances(instances.ServiceName, instances.Where(IsHttp), instances.IsStale, instances.LastUpdated, instances.ChangeToken);
            }
        }

        return instances;
    }

    /// <summary>The instances serving the first of <paramref name="schemes"/> that any of them serves; empty when none does.</summary>
    public static ConsulServiceInstances Filter(ConsulServiceInstances instances, IReadOnlyList<string> schemes)
    {
        foreach (var scheme in schemes)
        {
            var matching = 0;
            foreach (var instance in instances)
            {
                if (Serves(instance, scheme))
                {
                    matching++;
                }
            }

            if (matching == instances.Count)
            {
                return instances;
            }

            if (matching > 0)
            {
                return new ConsulServiceInstances(instances.ServiceName, instances.Where(i => Serves(i, scheme)), instances.IsStale, instances.LastUpdated, instances.ChangeToken);
            }
        }

        return new ConsulServiceInstances(instances.ServiceName, [], instances.IsStale, instances.LastUpdated, instances.ChangeToken);
    }

    private static bool Serves(ConsulServiceInstance instance, string scheme) => string.Equals(instance.Scheme, scheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>One snapshot's views, by URI scheme (a handful at most: http, https, https+http).</summary>
    private sealed class Views(ConsulServiceInstances instances)
    {
        private readonly Lock _lock = new();
        private (string UriScheme, ConsulServiceInstances View)[] _views = [];

        public ConsulServiceInstances Get(string uriScheme, string[]? schemes)
        {
            foreach (var (existing, view) in Volatile.Read(ref _views))
            {
                if (string.Equals(existing, uriScheme, StringComparison.Ordinal))
                {
                    return view;
                }
            }

            lock (_lock)
            {
                foreach (var (existing, view) in _views)
                {
                    if (string.Equals(existing, uriScheme, StringComparison.Ordinal))
                    {
                        return view;
                    }
                }

                var filtered = schemes is null ? HttpOnly(instances) : Filter(instances, schemes);
                Volatile.Write(ref _views, [.. _views, (uriScheme, filtered)]);
                return filtered;
            }
        }
    }
}
