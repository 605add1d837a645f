// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// The requests the Consul client sent and the response body bytes it read (what the agent sent back), so a
/// measurement can report the traffic per change. Request bodies are not counted: the watches only send GETs.
/// </summary>
internal sealed class TrafficCounter
{
    private long _requests;
    private long _responseBytes;

    public long Requests => Interlocked.Read(ref _requests);

    public long ResponseBytes => Interlocked.Read(ref _responseBytes);

    /// <summary>Gets or sets a value indicating whether traffic is counted; off until the phase being measured.</summary>
    public bool Enabled { get; set; }

    public void CountRequest() => Interlocked.Increment(ref _requests);

    public void CountBytes(int bytes) => Interlocked.Add(ref _responseBytes, bytes);
}

/// <summary>
/// Feeds a <see cref="TrafficCounter"/>. One instance per handler pipeline (the client factory rebuilds pipelines
/// every two minutes and refuses a handler that is already in one); bodies are counted as the client reads them, not
/// buffered, so counting adds no latency to what is measured.
/// </summary>
internal sealed class CountingHandler(TrafficCounter counter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!counter.Enabled)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        counter.CountRequest();
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var original = response.Content;
        var counted = new CountingContent(original, counter);
        foreach (var header in original.Headers)
        {
            counted.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = counted;
        return response;
    }

    private sealed class CountingContent(HttpContent inner, TrafficCounter counter) : HttpContent
    {
        protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
            => new CountingStream(await inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), counter);

        protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await using var source = await CreateContentReadStreamAsync().ConfigureAwait(false);
            await source.CopyToAsync(stream).ConfigureAwait(false);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class CountingStream(Stream inner, TrafficCounter counter) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }

        private int Counted(int read)
        {
            counter.CountBytes(read);
            return read;
        }
    }
}
