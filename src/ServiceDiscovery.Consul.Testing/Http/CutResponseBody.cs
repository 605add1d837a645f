// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>
/// A response body that sends the first half of what is written (with the headers, flushed) and discards the rest:
/// a connection lost in the middle of a response. The response then ends short of its <c>Content-Length</c>, so
/// Kestrel closes the connection after the bytes already sent (an abort could drop them with the headers).
/// </summary>
internal sealed class CutResponseBody(Stream inner) : Stream
{
    private bool _cut;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_cut)
        {
            return;
        }

        _cut = true;
        var half = buffer.Length / 2;
        if (half > 0)
        {
            await inner.WriteAsync(buffer[..half], cancellationToken).ConfigureAwait(false);
        }

        await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (_cut)
        {
            return;
        }

        _cut = true;
        inner.Write(buffer, offset, count / 2);
        inner.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _cut ? Task.CompletedTask : inner.FlushAsync(cancellationToken);

    public override void Flush()
    {
        if (!_cut)
        {
            inner.Flush();
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
