// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Frozen;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// The Connect-native instances the Microsoft.Extensions.ServiceDiscovery provider has handed out, by the
/// <c>https://host:port</c> it published for them, so that <see cref="ConsulConnectHttpMessageHandler"/> can tell a
/// request to one of them (and the identity its certificate must carry) from any other request.
/// </summary>
/// <remarks>
/// Kept per service name and replaced whole each time the provider resolves that service, so an instance that left
/// Consul stops being routed over Connect. That is safe: the provider publishes Connect-native instances with an
/// <c>https</c> URI only, and an https request that is not routed here meets a server that requires a Connect client
/// certificate and a certificate the machine's store does not trust, so it fails; it is never sent in plain text. When
/// one address and port is listed under two services (a port reused), requests to it expect one of the two identities:
/// a server with the other is refused, never accepted unverified.
/// </remarks>
internal sealed class ConnectEndpoints
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ConsulServiceInstance[]> _byService = new(StringComparer.OrdinalIgnoreCase);
    private FrozenDictionary<(string Host, int Port), ConsulServiceInstance> _byEndpoint = FrozenDictionary<(string Host, int Port), ConsulServiceInstance>.Empty;

    /// <summary>Whether no Connect-native endpoint has been published (the request path then skips the lookup).</summary>
    public bool IsEmpty => Volatile.Read(ref _byEndpoint).Count == 0;

    /// <summary>The URI a Connect-native instance is published with: its address and port, always <c>https</c>.</summary>
    public static Uri PublishedUri(ConsulServiceInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return string.Equals(instance.Uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal)
            ? instance.Uri
            : new UriBuilder(instance.Uri) { Scheme = Uri.UriSchemeHttps, Port = instance.Port }.Uri;
    }

    /// <summary>Replaces what is known of <paramref name="serviceName"/>'s Connect-native instances.</summary>
    public void Update(string serviceName, IEnumerable<ConsulServiceInstance> instances)
    {
        var native = instances.Where(static i => i.IsConnectNative).ToArray();
        lock (_lock)
        {
            if (native.Length == 0 && !_byService.ContainsKey(serviceName))
            {
                return;
            }

            if (_byService.TryGetValue(serviceName, out var known) && known.SequenceEqual(native))
            {
                return;
            }

            if (native.Length == 0)
            {
                _byService.Remove(serviceName);
            }
            else
            {
                _byService[serviceName] = native;
            }

            var all = new Dictionary<(string Host, int Port), ConsulServiceInstance>(EndpointComparer.Instance);
            foreach (var instance in _byService.Values.SelectMany(static i => i))
            {
                var uri = PublishedUri(instance);
                all[(uri.Host, uri.Port)] = instance;
            }

            Volatile.Write(ref _byEndpoint, all.ToFrozenDictionary(EndpointComparer.Instance));
        }
    }

    /// <summary>The Connect-native instance published at <paramref name="uri"/>'s host and port, if any.</summary>
    public bool TryFind(Uri uri, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConsulServiceInstance? instance)
    {
        instance = null;
        var map = Volatile.Read(ref _byEndpoint);
        return map.Count > 0 && uri.IsAbsoluteUri && map.TryGetValue((uri.Host, uri.Port), out instance);
    }

    private sealed class EndpointComparer : IEqualityComparer<(string Host, int Port)>
    {
        public static readonly EndpointComparer Instance = new();

        public bool Equals((string Host, int Port) x, (string Host, int Port) y)
            => x.Port == y.Port && string.Equals(x.Host, y.Host, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode((string Host, int Port) obj)
            => HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Host), obj.Port);
    }
}
