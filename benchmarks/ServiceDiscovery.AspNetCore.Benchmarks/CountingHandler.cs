// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// Counts the requests the Consul client sends and the response body bytes it reads (what the agent sends back), so
/// a measurement can report the traffic per change. Request bodies are not counted: the watches only send GETs.
/// </summary>
internal sealed class CountingHandler : DelegatingHandler
{
    private long _requests;
    private long _responseBytes;

    public long Requests => Interlocked.Read(ref _requests);

    public long ResponseBytes => Interlocked.Read(ref _responseBytes);

    /// <summary>Gets or sets a value indicating whether traffic is counted; off until the phase being measured.</summary>
    public bool Enabled { get; set; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var counted = Enabled;
        if (counted)
        {
            Interlocked.Increment(ref _requests);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (counted)
        {
            // Buffer the body here so its size is known; the client reads it from memory afterwards.
            await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Add(ref _responseBytes, bytes.LongLength);
        }

        return response;
    }
}
