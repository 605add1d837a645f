// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>
/// Tells an attempt's timeout from the caller giving up. The outermost handler of a load-balanced client records the
/// token the request entered the handler chain with (the caller's token, linked by HttpClient with its own
/// <c>Timeout</c>); when the discovery handler's token is cancelled while that one is not, something in between (a
/// resilience pipeline's attempt timeout) cancelled the attempt: the instance did not answer in time.
/// </summary>
internal sealed class CallerCancellation : DelegatingHandler
{
    private static readonly HttpRequestOptionsKey<CancellationToken> Key = new("ServiceDiscovery.AspNetCore.CallerCancellation");

    /// <summary>Whether the cancellation of <paramref name="attempt"/> came from inside the handler chain, not from the caller.</summary>
    public static bool IsAttemptTimeout(HttpRequestMessage request, CancellationToken attempt)
        => attempt.IsCancellationRequested
           && request.Options.TryGetValue(Key, out var caller)
           && caller != attempt
           && !caller.IsCancellationRequested;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Options.Set(Key, cancellationToken);
        return base.SendAsync(request, cancellationToken);
    }
}
