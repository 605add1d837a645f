// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Tests.Http;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// A response body still being read when a leaf renewal retires the pool its request went through. The transport
/// releases a request from its <see cref="ConnectLeafInvoker"/> when the handler's <c>SendAsync</c> returns, at the
/// response headers (HttpClient's own <c>ResponseContentRead</c> buffering, YARP's forwarder and
/// <c>ResponseHeadersRead</c> callers all read the body after that), so a renewal in the middle of the body disposes
/// the pool's <see cref="SocketsHttpHandler"/> under the reader. Over real Kestrel mTLS ("catalog",
/// <see cref="ConnectServer"/>) and the real client ("orders", <see cref="ConnectOrdersApp"/>).
/// </summary>
public sealed class ConnectStreamingTests : IDisposable
{
    /// <summary>Each half of the body: beyond HTTP/2's initial flow-control window and the sockets' buffers, so the server also waits on the reader.</summary>
    private const int Half = 1 << 20;

    /// <summary>What the client reads before the renewal: the body is flowing, far from complete.</summary>
    private const int ReadBeforeRenewal = 64 * 1024;

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private readonly TestConnectCa _ca = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _ca.Dispose();

    /// <summary>
    /// The server writes half the body, waits for the test's signal, writes the rest. Between the two, orders' leaf is
    /// renewed and a new request (on a new connection presenting the new leaf) retires and disposes the pool the
    /// stream's request used. The whole body must still arrive, byte for byte, and the stream's connection must close
    /// once its response is done (the retired pool was disposed, not leaked), and not before. Read as a stream
    /// (<c>ResponseHeadersRead</c>), or buffered by HttpClient (<c>ResponseContentRead</c>, its default), which also
    /// reads the body after the handler has returned.
    /// </summary>
    [Theory]
    [InlineData("1.1", false)]
    [InlineData("2.0", false)]
    [InlineData("1.1", true)]
    [InlineData("2.0", true)]
    public async Task BodyStillStreamingWhenARenewalRetiresItsPool_ArrivesComplete_ThenItsConnectionCloses(string version, bool buffered)
    {
        var body = new byte[2 * Half];
        new Random(20).NextBytes(body);
        var firstHalfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondHalf = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var streamConnectionClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string? streamCaller = null;
        await using var server = await ConnectServer.StartAsync(_ca, configureApp: app =>
        {
            app.MapGet("/stream", async (HttpContext context) =>
            {
                streamCaller = context.Connection.ClientCertificate!.SerialNumber;
                (context.Features.Get<IConnectionLifetimeFeature>() ?? throw new InvalidOperationException("Kestrel exposes no IConnectionLifetimeFeature")).ConnectionClosed.Register(() => streamConnectionClosed.TrySetResult());
                context.Response.ContentType = "application/octet-stream";
                context.Response.ContentLength = body.Length;
                await context.Response.Body.WriteAsync(body.AsMemory(0, Half), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                firstHalfSent.TrySetResult();
                await secondHalf.Task.WaitAsync(context.RequestAborted);
                await context.Response.Body.WriteAsync(body.AsMemory(Half), context.RequestAborted);
            });
            app.MapGet("/caller-serial", (HttpContext context) => context.Connection.ClientCertificate!.SerialNumber);
        });
        var discovery = new FakeServiceDiscovery();
        discovery.Set("catalog", Instances.Of(ConnectOrdersApp.Native("catalog", server.Https.Port, "dc1")));
        var api = new FakeConsulConnectApi(_ca.Roots(), _ca.AgentLeaf("orders"));
        await using var orders = await ConnectOrdersApp.StartAsync(discovery, api);
        var source = orders.Services.GetRequiredService<ConnectCertificateSource>();
        var firstLeaf = source.CurrentLeaf()!.Certificate.SerialNumber;

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://catalog/stream")) { Version = Version.Parse(version), VersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var sending = orders.Http.SendAsync(request, buffered ? HttpCompletionOption.ResponseContentRead : HttpCompletionOption.ResponseHeadersRead, Ct);
        Stream? stream = null;
        var received = new byte[body.Length];
        if (buffered)
        {
            await firstHalfSent.Task.WaitAsync(Deadline, Ct);   // HttpClient is reading the body; its SendAsync has not returned
        }
        else
        {
            var headers = await sending;   // disposed below, with its body
            stream = await headers.Content.ReadAsStreamAsync(Ct);
            await stream.ReadExactlyAsync(received.AsMemory(0, ReadBeforeRenewal), Ct);   // the body is flowing
        }

        // The renewal: once orders holds the new leaf, its next request replaces the identity's pool.
        api.SetLeaf(_ca.AgentLeaf("orders"));
        await Eventually.WaitAsync(() => source.CurrentLeaf()!.Certificate.SerialNumber != firstLeaf, Deadline, "orders holds its renewed leaf");
        var renewedLeaf = source.CurrentLeaf()!.Certificate.SerialNumber;
        Assert.Equal(renewedLeaf, await orders.Http.GetStringAsync(new Uri("http://catalog/caller-serial"), Ct));   // a new pool: the new leaf was presented
        Assert.Equal(firstLeaf, streamCaller);
        Assert.False(streamConnectionClosed.Task.IsCompleted, "the stream's connection closed while its body was being read");

        secondHalf.SetResult();
        using (var response = await sending)
        {
            response.EnsureSuccessStatusCode();
            Assert.Equal(Version.Parse(version), response.Version);
            if (stream is null)
            {
                received = await response.Content.ReadAsByteArrayAsync(Ct);
            }
            else
            {
                await stream.ReadExactlyAsync(received.AsMemory(ReadBeforeRenewal), Ct);
                Assert.Equal(0, await stream.ReadAsync(new byte[1], Ct));   // the end of the body, nothing beyond
                await stream.DisposeAsync();
            }
        }

        Assert.True(body.AsSpan().SequenceEqual(received), "the body arrived altered");
        try
        {
            await streamConnectionClosed.Task.WaitAsync(Deadline, Ct);   // the retired pool's last connection closes once its response is done
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The stream's connection was still open {Deadline.TotalSeconds:0} s after its response was done: the retired pool was not disposed.");
        }
    }
}
