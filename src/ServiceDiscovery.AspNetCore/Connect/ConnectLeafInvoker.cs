// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// One expected server identity's connection pool while one leaf is this app's: an <see cref="HttpMessageInvoker"/>
/// whose TLS presents <see cref="Leaf"/> with its intermediates. When a newer leaf replaces it, it is retired: no new
/// request enters, and it is disposed (closing its pooled connections) once the requests already in it have been sent.
/// </summary>
/// <remarks>
/// <para>
/// A request calls <see cref="TryAcquire"/> before sending and <see cref="Release"/> after. Both that pair and
/// <see cref="Retire"/> use full fences (each side writes its own flag, then reads the other's), so either the request
/// sees the retirement and goes to the replacement, or the retirement sees the request and leaves the disposal to its
/// <see cref="Release"/>: a request is never sent through a disposed invoker.
/// </para>
/// <para>
/// A request leaves when the handler's <c>SendAsync</c> returns, at the response headers: HttpClient's default
/// <c>ResponseContentRead</c> buffers the body after that, outside the handler, and <c>ResponseHeadersRead</c> callers,
/// YARP's forwarder and streaming clients read it later still. So a retirement may dispose the
/// <see cref="SocketsHttpHandler"/> while a body is being read. That is safe, as <c>ConnectStreamingTests</c> shows
/// for HTTP/1.1 and HTTP/2 over real Kestrel mTLS: disposing the handler closes its idle connections but does not cut
/// one still delivering a response; the body arrives complete, and that connection closes once the response is done
/// (HTTP/1.1: it comes back to a disposed pool; HTTP/2: its last stream has ended). Holding the request in until its
/// content is disposed would instead keep a retired pool, and the old leaf's connections, alive for as long as a
/// caller forgets to dispose a response.
/// </para>
/// </remarks>
internal sealed class ConnectLeafInvoker(ConnectLeaf leaf, HttpMessageInvoker invoker) : IDisposable
{
    private int _inFlight;
    private int _retired;
    private int _disposed;

    /// <summary>The leaf this invoker's handshakes present.</summary>
    public ConnectLeaf Leaf { get; } = leaf;

    /// <summary>Whether this invoker has been retired (and is disposed once idle).</summary>
    public bool IsRetired => Volatile.Read(ref _retired) != 0;

    /// <summary>Enters a request; false when the invoker is retired (use its replacement).</summary>
    public bool TryAcquire()
    {
        Interlocked.Increment(ref _inFlight);
        if (Volatile.Read(ref _retired) == 0)
        {
            return true;
        }

        Release();
        return false;
    }

    /// <summary>Sends through the pool; only between <see cref="TryAcquire"/> (true) and <see cref="Release"/>.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => invoker.SendAsync(request, cancellationToken);

    /// <summary>Leaves; the last request out of a retired invoker disposes it.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _retired) != 0)
        {
            Dispose();
        }
    }

    /// <summary>No new request enters; disposed now if idle, else by the last request's <see cref="Release"/>.</summary>
    public void Retire()
    {
        Interlocked.Exchange(ref _retired, 1);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            invoker.Dispose();
        }
    }
}
