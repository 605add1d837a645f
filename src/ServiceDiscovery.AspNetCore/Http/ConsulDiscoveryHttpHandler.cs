// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Connect;

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>
/// Sends <c>http://{service}/path</c> to a healthy instance of <c>{service}</c> picked by the client's
/// <see cref="IConsulLoadBalancer"/>; requests to real host names pass through untouched.
/// </summary>
/// <remarks>
/// The request's URI is put back after the call so an outer retry (Microsoft.Extensions.Http.Resilience) resolves
/// again and, with the failed instance ejected, reaches another one. The <c>Host</c> header is left to HttpClient, so
/// it names the instance (<c>address:port</c>) unless the caller set one.
/// </remarks>
internal sealed partial class ConsulDiscoveryHttpHandler(
    IConsulServiceDiscovery discovery,
    IConsulLoadBalancer balancer,
    InstanceHealthTracker tracker,
    UnusableSchemeReport unusable,
    HttpDiscoveryMetrics metrics,
    ILogger<ConsulDiscoveryHttpHandler> logger,
    ConnectClientTransport? connect = null) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri;
        if (!ServiceUri.TryGetServiceName(original, out var serviceName))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var all = await DiscoveryFailure.GetInstancesAsync(discovery, serviceName, cancellationToken).ConfigureAwait(false);
        var schemes = ServiceUri.PreferredSchemes(original!.Scheme);
        var instances = InstanceSchemes.View(all, original.Scheme, schemes);
        foreach (var skipped in unusable.FirstSkips(all, instances))
        {
            Log.UnusableScheme(logger, skipped.Id, serviceName, skipped.Scheme);
        }

        if (instances.Count == 0)
        {
            metrics.NoInstance(serviceName);
            Log.NoHealthyInstance(logger, serviceName, request.Method.Method, original.AbsolutePath);
            throw new ConsulServiceUnavailableException(serviceName, NoInstanceMessage(serviceName, request.Method, original, all, schemes));
        }

        var instance = Choose(instances);
        request.RequestUri = new Uri(instance.Uri, original.PathAndQuery);
        tracker.RequestStarted(instance);
        metrics.Request(instance);
        try
        {
            var response = instance.IsConnectNative
                ? await SendConnectAsync(request, instance, cancellationToken).ConfigureAwait(false)
                : await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (tracker.RecordAnswer(instance, (int)response.StatusCode))
            {
                metrics.Ejection(instance);
                var (limit, settingKey) = tracker.EjectionThreshold;
                Log.InstanceEjectedFor5xx(logger, instance.Id, serviceName, instance.Uri, (int)response.StatusCode, limit, settingKey);
            }

            return response;
        }
        catch (Exception ex) when ((IsConnectionFailure(ex, cancellationToken) || IsAttemptTimeout(ex, request, cancellationToken)) && tracker.Eject(instance))
        {
            metrics.Ejection(instance);
            Log.InstanceEjected(logger, instance.Id, serviceName, instance.Uri, ex);
            throw;
        }
        finally
        {
            tracker.RequestEnded(instance);
            request.RequestUri = original;
        }
    }

    /// <summary>
    /// A Connect-native instance is only ever called over Connect mTLS, through its own transport (the handlers
    /// inside this one and the client's primary handler are not used for it): without <c>AddConsulConnect()</c> there
    /// is no certificate to present, and the call fails rather than falling back to plain text.
    /// </summary>
    private Task<HttpResponseMessage> SendConnectAsync(HttpRequestMessage request, ConsulServiceInstance instance, CancellationToken cancellationToken)
        => connect is not null
            ? connect.SendAsync(request, instance, cancellationToken)
            : throw ConnectClientTransport.NoIdentity(instance);

    /// <summary>
    /// The instance could not be reached at all (refused, unreachable, name or TLS failure, or SocketsHttpHandler's
    /// <c>ConnectTimeout</c>), as opposed to an answer, however bad, or the caller giving up. An attempt timeout is
    /// told apart by <see cref="IsAttemptTimeout"/>; the caller cancelling never ejects.
    /// </summary>
    private static bool IsConnectionFailure(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpRequestException http => http.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError,
        OperationCanceledException { InnerException: TimeoutException } => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>
    /// The instance accepted the request but did not answer within the attempt's own timeout (a resilience pipeline's
    /// attempt timeout cancelled it while the caller still waits): it is ejected like one that refuses connections.
    /// </summary>
    private static bool IsAttemptTimeout(Exception exception, HttpRequestMessage request, CancellationToken cancellationToken)
        => exception is OperationCanceledException && CallerCancellation.IsAttemptTimeout(request, cancellationToken);

    /// <summary>
    /// The balancer's pick, skipping ejected instances: the balancer is asked again (round-robin moves on), then, if it
    /// keeps landing on ejected ones, the first instance that is not, from a random start. When every instance is
    /// ejected the first pick stands: better to try than to fail outright.
    /// </summary>
    private ConsulServiceInstance Choose(ConsulServiceInstances instances)
    {
        var pick = Pick(instances);
        if (!tracker.IsEjected(pick))
        {
            return pick;
        }

        for (var attempt = 1; attempt < instances.Count; attempt++)
        {
            var next = Pick(instances);
            if (!tracker.IsEjected(next))
            {
                return next;
            }
        }

        var span = instances.AsSpan();
        var start = Random.Shared.Next(span.Length);
        for (var i = 0; i < span.Length; i++)
        {
            var candidate = span[(start + i) % span.Length];
            if (!tracker.IsEjected(candidate))
            {
                return candidate;
            }
        }

        return pick;
    }

    private ConsulServiceInstance Pick(ConsulServiceInstances instances)
        => balancer.Pick(instances) ?? throw new InvalidOperationException($"The load balancer {balancer.GetType()} returned no instance of '{instances.ServiceName}'; IConsulLoadBalancer.Pick must return one of the instances it is given.");

    private static string NoInstanceMessage(string serviceName, HttpMethod method, Uri uri, ConsulServiceInstances all, string[]? schemes)
    {
        var target = $"{method} {uri.GetLeftPart(UriPartial.Path)}";
        var stale = all.IsStale ? " (Consul is unreachable; this is its last-known list)" : string.Empty;
        schemes ??= ["http", "https"];
        return all.Count == 0
            ? $"No healthy instance of Consul service '{serviceName}' is available for {target}{stale}. The request was not sent."
            : $"No healthy instance of Consul service '{serviceName}' serves {string.Join(" or ", schemes)} for {target}{stale}: its {all.Count} healthy instance(s) registered another scheme (their 'scheme' meta). The request was not sent.";
    }
}
