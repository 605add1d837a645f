// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>
/// Sends <c>http://{service}/path</c> to a healthy instance of <c>{service}</c> picked by the client's
/// <see cref="IConsulLoadBalancer"/>; requests to real host names pass through untouched.
/// </summary>
/// <remarks>
/// The request's URI is put back after the call so an outer retry (Microsoft.Extensions.Http.Resilience) resolves
/// again and, with the failed instance ejected, reaches another one.
/// </remarks>
internal sealed partial class ConsulDiscoveryHttpHandler(
    IConsulServiceDiscovery discovery,
    IConsulLoadBalancer balancer,
    InstanceHealthTracker tracker,
    HttpDiscoveryMetrics metrics,
    ILogger<ConsulDiscoveryHttpHandler> logger) : DelegatingHandler
{
    // Instances filtered by scheme for https+http URIs, computed once per discovery snapshot.
    private static readonly ConditionalWeakTable<ConsulServiceInstances, SchemeViews> ViewsBySnapshot = [];

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri;
        if (!ServiceUri.TryGetServiceName(original, out var serviceName))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var instances = await discovery.GetInstancesAsync(serviceName, cancellationToken).ConfigureAwait(false);
        if (ServiceUri.PreferredSchemes(original!) is { } schemes)
        {
            instances = ViewsBySnapshot.GetValue(instances, static list => new SchemeViews(list)).Preferred(original!.Scheme, schemes);
        }

        if (instances.Count == 0)
        {
            metrics.NoInstance(serviceName);
            Log.NoHealthyInstance(logger, serviceName, request.Method.Method, original!.AbsolutePath);
            throw new ConsulServiceUnavailableException(
                serviceName,
                $"No healthy instance of Consul service '{serviceName}' is available for {request.Method} {original!.GetLeftPart(UriPartial.Path)}{(instances.IsStale ? " (Consul is unreachable; this is its last-known list)" : string.Empty)}. The request was not sent.");
        }

        var instance = Choose(instances);
        request.RequestUri = new Uri(instance.Uri, original!.PathAndQuery);
        tracker.RequestStarted(instance);
        metrics.Request(instance);
        try
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (IsConnectionFailure(ex) && tracker.Eject(instance))
        {
            metrics.Ejection(instance);
            Log.InstanceEjected(logger, instance.Id, serviceName, instance.Uri, ex.HttpRequestError, ex);
            throw;
        }
        finally
        {
            tracker.RequestEnded(instance);
            request.RequestUri = original;
        }
    }

    private static bool IsConnectionFailure(HttpRequestException exception)
        => exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError;

    /// <summary>The balancer's pick, skipping ejected instances; when every try lands on one, the pick stands (better than failing outright).</summary>
    private ConsulServiceInstance Choose(ConsulServiceInstances instances)
    {
        var pick = balancer.Pick(instances);
        for (var attempt = 1; attempt < instances.Count && tracker.IsEjected(pick); attempt++)
        {
            pick = balancer.Pick(instances);
        }

        return pick;
    }

    private sealed class SchemeViews(ConsulServiceInstances instances)
    {
        private readonly Lock _lock = new();
        private (string Key, ConsulServiceInstances View)[] _views = [];

        /// <summary>The instances serving the first of <paramref name="schemes"/> that any serves; <paramref name="key"/> is the URI scheme they came from.</summary>
        public ConsulServiceInstances Preferred(string key, string[] schemes)
        {
            foreach (var (existingKey, view) in Volatile.Read(ref _views))
            {
                if (existingKey == key)
                {
                    return view;
                }
            }

            lock (_lock)
            {
                var chosen = Filter(schemes);
                _views = [.. _views, (key, chosen)];
                return chosen;
            }
        }

        private ConsulServiceInstances Filter(string[] schemes)
        {
            foreach (var scheme in schemes)
            {
                var matching = instances.Where(i => string.Equals(i.Scheme, scheme, StringComparison.OrdinalIgnoreCase)).ToArray();
                if (matching.Length > 0)
                {
                    return new ConsulServiceInstances(instances.ServiceName, matching, instances.IsStale, instances.LastUpdated, instances.ChangeToken);
                }
            }

            return new ConsulServiceInstances(instances.ServiceName, [], instances.IsStale, instances.LastUpdated, instances.ChangeToken);
        }
    }
}
