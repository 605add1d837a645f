// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Http;
using Microsoft.Extensions.ServiceDiscovery;

namespace ServiceDiscovery.AspNetCore.ServiceEndpointProvider;

/// <summary>
/// Resolves a service's endpoints from the discovery cache and hands the cache's change token to
/// Microsoft.Extensions.ServiceDiscovery, which then refreshes when Consul pushes a change instead of polling.
/// </summary>
/// <remarks>
/// Schemes follow the HttpClient integration's rules (<see cref="ServiceUri.PreferredSchemes"/>). Consumers call an
/// IP or DNS endpoint with the query's first scheme (<c>https</c> for <c>https+http://</c>), so an instance to be called
/// with another scheme is published as a <see cref="UriEndPoint"/> carrying it; the others stay plain endpoints, which
/// every consumer understands. A Connect-native instance is always published as <c>https://address:port</c> and
/// recorded in <see cref="ConnectEndpoints"/>, so <see cref="ConsulConnectHttpMessageHandler"/> calls it over Connect
/// mTLS; a consumer without that handler fails the TLS handshake and never talks to it in plain text.
/// </remarks>
internal sealed class ConsulServiceEndpointProvider(ServiceEndpointQuery query, IConsulServiceDiscovery discovery, ConnectEndpoints connect) : IServiceEndpointProvider
{
    private readonly string[]? _schemes = query.IncludedSchemes.Count == 0 ? null : ServiceUri.PreferredSchemes(string.Join('+', query.IncludedSchemes));
    private readonly string _consumerScheme = query.IncludedSchemes.Count == 0 ? Uri.UriSchemeHttp : query.IncludedSchemes[0];

    public async ValueTask PopulateAsync(IServiceEndpointBuilder endpoints, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var all = await DiscoveryFailure.GetInstancesAsync(discovery, query.ServiceName, cancellationToken).ConfigureAwait(false);
        var instances = _schemes is not null ? InstanceSchemes.Filter(all, _schemes)
            : query.IncludedSchemes.Count > 0 ? InstanceSchemes.HttpOnly(all) // http:// asked: never an instance HttpClient cannot speak
            : all;
        connect.Update(query.ServiceName, instances);
        foreach (var instance in instances)
        {
            var endPoint = instance.IsConnectNative ? new UriEndPoint(ConnectEndpoints.PublishedUri(instance))
                : string.Equals(instance.Scheme, _consumerScheme, StringComparison.OrdinalIgnoreCase) ? instance.EndPoint
                : new UriEndPoint(instance.Uri);
            endpoints.Endpoints.Add(ServiceEndpoint.Create(endPoint));
        }

        // Fires when Consul pushes a newer list (or the name stops being watched): the watcher resolves again then,
        // and never polls Consul itself.
        endpoints.AddChangeToken(all.ChangeToken);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public override string ToString() => "Consul";
}
