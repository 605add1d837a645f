// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Connect;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// The retirement of a replaced leaf's pool: no request enters it afterwards, none already in it meets a disposed
/// handler, and it is disposed as soon as it is idle.
/// </summary>
public sealed class ConnectLeafInvokerTests : IDisposable
{
    private readonly TestConnectCa _ca = new();
    private readonly RecordingHandler _handler = new();
    private readonly ConnectLeafInvoker _invoker;

    public ConnectLeafInvokerTests() => _invoker = new ConnectLeafInvoker(ConnectLeaf.Parse(_ca.AgentLeaf("orders"), index: 1), new HttpMessageInvoker(_handler));

    public void Dispose()
    {
        _invoker.Dispose();
        _ca.Dispose();
    }

    [Fact]
    public async Task RetiredWhileARequestIsIn_StaysUsableForIt_AndIsDisposedWhenItLeaves()
    {
        Assert.True(_invoker.TryAcquire());

        _invoker.Retire();

        Assert.False(_handler.Disposed);
        using (var response = await _invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri("https://127.0.0.1/")), TestContext.Current.CancellationToken))
        {
            response.EnsureSuccessStatusCode();
        }

        _invoker.Release();
        Assert.True(_handler.Disposed);
    }

    [Fact]
    public void Retired_TakesNoNewRequest()
    {
        _invoker.Retire();

        Assert.False(_invoker.TryAcquire());
        Assert.True(_invoker.IsRetired);
    }

    [Fact]
    public void RetiredWhenIdle_IsDisposedAtOnce_AndOnlyOnce()
    {
        Assert.True(_invoker.TryAcquire());
        _invoker.Release();
        Assert.False(_handler.Disposed);

        _invoker.Retire();
        _invoker.Dispose();

        Assert.Equal(1, _handler.Disposals);
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        private int _disposals;

        public int Disposals => Volatile.Read(ref _disposals);

        public bool Disposed => Disposals > 0;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { RequestMessage = request });
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Interlocked.Increment(ref _disposals);
            }

            base.Dispose(disposing);
        }
    }
}
