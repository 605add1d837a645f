// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Sockets;
using System.Text;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Tests.Consul.Fakes;
using static ServiceDiscovery.AspNetCore.Tests.Consul.Fakes.FakeHttpMessageHandler;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

/// <summary>Error mapping and bad input: every failure is a clear <see cref="ConsulException"/>, never a crash or a hang.</summary>
public sealed class ConsulApiClientErrorTests : IDisposable
{
    private const string Token = "8f3a1c7e-secret-token-value";
    private readonly ConsulClientHarness _harness = new(o => o.Token = Token);
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private FakeHttpMessageHandler Handler => _harness.Handler;

    private ConsulApiClient Client => _harness.Client;

    public void Dispose() => _harness.Dispose();

    public static TheoryData<HttpStatusCode, string> ApiErrors => new()
    {
        { HttpStatusCode.Forbidden, "Permission denied: token with AccessorID 'b7f1' lacks permission 'service:write' on \"web\"" },
        { HttpStatusCode.Forbidden, "ACL not found" },
        { HttpStatusCode.BadRequest, "Invalid check: TTL must be > 0 for TTL checks" },
        { HttpStatusCode.InternalServerError, "rpc error making call: No path to datacenter" },
        { HttpStatusCode.NotFound, "Unknown service ID \"web-1\". Ensure that the service ID is passed, not the service name." },
        { HttpStatusCode.MethodNotAllowed, "method GET not allowed" },
    };

    [Theory]
    [MemberData(nameof(ApiErrors))]
    public async Task NonOk_ApiErrorWithStatusAndBody(HttpStatusCode status, string body)
    {
        Handler.Respond = (_, _) => Task.FromResult(Text(status, body + "\n"));

        var error = await Assert.ThrowsAsync<ConsulException>(() => Client.SetServiceMaintenanceAsync("web-1", true, null, _ct));

        Assert.Equal(ConsulErrorReason.ApiError, error.Reason);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(body, error.ResponseBody);
        Assert.Contains(body, error.Message, StringComparison.Ordinal);
        Assert.Contains("PUT /v1/agent/service/maintenance/web-1", error.Message, StringComparison.Ordinal);
        Assert.Contains("http://consul.test:8500/", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("enable=", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonOk_LongBody_IsCapped()
    {
        Handler.Respond = (_, _) => Task.FromResult(Text(HttpStatusCode.InternalServerError, new string('x', 100_000)));

        var error = await Assert.ThrowsAsync<ConsulException>(() => Client.GetLeaderAsync(_ct));

        Assert.True(error.ResponseBody!.Length <= 1024 + 3, $"body length {error.ResponseBody.Length}");
    }

    [Fact]
    public async Task NonOk_BodyEchoingTheToken_IsRedacted()
    {
        Handler.Respond = (request, _) => Task.FromResult(Text(HttpStatusCode.BadGateway, "proxy saw header " + request.Headers.GetValues("X-Consul-Token").Single()));

        var error = await Assert.ThrowsAsync<ConsulException>(() => Client.GetLeaderAsync(_ct));

        Assert.DoesNotContain(Token, error.ToString(), StringComparison.Ordinal);
        Assert.Contains("[redacted]", error.ResponseBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionRefused_ConnectionFailedWithInner()
    {
        Handler.Respond = (_, _) => throw new HttpRequestException("Connection refused (consul.test:8500)", new SocketException((int)SocketError.ConnectionRefused));

        var error = await Assert.ThrowsAsync<ConsulException>(() => Client.GetAgentSelfAsync(_ct));

        Assert.Equal(ConsulErrorReason.ConnectionFailed, error.Reason);
        Assert.Null(error.StatusCode);
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Contains("GET /v1/agent/self", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionRefused_RealSocket_ConnectionFailed()
    {
        // A port that was free a moment ago: nothing listens there.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var harness = new ConsulClientHarness(o => o.Address = $"http://127.0.0.1:{port}", primaryHandler: ConsulClientHarness.RealHandler);

        var error = await Assert.ThrowsAsync<ConsulException>(() => harness.Client.GetLeaderAsync(_ct));

        Assert.Equal(ConsulErrorReason.ConnectionFailed, error.Reason);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task NoAnswer_TimesOutAfterConfiguredTimeout()
    {
        Handler.Respond = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };

        var call = Client.GetLeaderAsync(_ct);
        _harness.Time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(call.IsCompleted);
        _harness.Time.Advance(TimeSpan.FromSeconds(0.2));

        var error = await Assert.ThrowsAsync<ConsulException>(() => call);
        Assert.Equal(ConsulErrorReason.Timeout, error.Reason);
        Assert.Contains("00:00:10", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlockingQuery_TimeoutIsWaitPlusJitterPlusTimeout()
    {
        Handler.Respond = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };

        // wait 64 s: Consul may answer up to 64 + 64/16 = 68 s later; plus Consul:Timeout 10 s.
        var call = Client.GetHealthServiceAsync("web", new HealthServiceQuery(), new QueryOptions { Index = 5, Wait = TimeSpan.FromSeconds(64) }, _ct);
        _harness.Time.Advance(TimeSpan.FromSeconds(77.9));
        Assert.False(call.IsCompleted);
        _harness.Time.Advance(TimeSpan.FromSeconds(0.2));

        var error = await Assert.ThrowsAsync<ConsulException>(() => call);
        Assert.Equal(ConsulErrorReason.Timeout, error.Reason);
    }

    [Fact]
    public async Task BlockingQuery_NoWait_UsesConsulDefaultFiveMinutes()
    {
        Handler.Respond = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };

        var call = Client.GetCatalogServicesAsync(new QueryOptions { Index = 5 }, _ct);
        _harness.Time.Advance(TimeSpan.FromSeconds(300 + 18.75 + 10 - 0.1));
        Assert.False(call.IsCompleted);
        _harness.Time.Advance(TimeSpan.FromSeconds(0.2));

        Assert.Equal(ConsulErrorReason.Timeout, (await Assert.ThrowsAsync<ConsulException>(() => call)).Reason);
    }

    [Fact]
    public async Task CallerCancellation_IsOperationCanceled()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        Handler.Respond = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        };

        var call = Client.GetHealthServiceAsync("web", new HealthServiceQuery(), new QueryOptions { Index = 5 }, cts.Token);
        await cts.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(cts.Token, error.CancellationToken);
    }

    [Fact]
    public async Task MalformedJson_InvalidResponse()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("""[{"Node":{"Node":"n"},"Service":""", index: 3));

        var error = await Assert.ThrowsAsync<ConsulException>(() => Client.GetHealthServiceAsync("web", new HealthServiceQuery(), QueryOptions.Default, _ct));

        Assert.Equal(ConsulErrorReason.InvalidResponse, error.Reason);
        Assert.Equal(HttpStatusCode.OK, error.StatusCode);
        Assert.Contains("Consul:Address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongJsonShape_InvalidResponse()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("""{"not":"a list"}""", index: 3));

        var error = await Assert.ThrowsAsync<ConsulException>(() => Client.GetHealthServiceAsync("web", new HealthServiceQuery(), QueryOptions.Default, _ct));

        Assert.Equal(ConsulErrorReason.InvalidResponse, error.Reason);
    }

    [Fact]
    public async Task HtmlBody_InvalidResponseNamingTheContentType()
    {
        Handler.Respond = (_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html><body>Welcome to nginx!</body></html>", Encoding.UTF8, "text/html") };
            response.Headers.Add("X-Consul-Index", "1");
            return Task.FromResult(response);
        };

        var error = await Assert.ThrowsAsync<ConsulException>(() => Client.GetHealthServiceAsync("web", new HealthServiceQuery(), QueryOptions.Default, _ct));

        Assert.Equal(ConsulErrorReason.InvalidResponse, error.Reason);
        Assert.Contains("text/html", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HtmlBodyWithoutContentType_InvalidResponse()
    {
        Handler.Respond = (_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent("<!DOCTYPE html><html></html>"u8.ToArray()) });

        var error = await Assert.ThrowsAsync<ConsulException>(() => Client.GetAgentSelfAsync(_ct));

        Assert.Equal(ConsulErrorReason.InvalidResponse, error.Reason);
    }

    [Theory]
    [InlineData(null, "no X-Consul-Index header")]
    [InlineData("abc", "'abc'")]
    [InlineData("-1", "'-1'")]
    [InlineData("18446744073709551616", "'18446744073709551616'")]
    public async Task MissingOrGarbageIndex_InvalidResponse(string? index, string expectedFragment)
    {
        Handler.Respond = (_, _) =>
        {
            var response = Json("[]");
            if (index is not null)
            {
                response.Headers.TryAddWithoutValidation("X-Consul-Index", index);
            }

            return Task.FromResult(response);
        };

        var error = await Assert.ThrowsAsync<ConsulException>(() => Client.GetHealthServiceAsync("web", new HealthServiceQuery(), QueryOptions.Default, _ct));

        Assert.Equal(ConsulErrorReason.InvalidResponse, error.Reason);
        Assert.Contains(expectedFragment, error.Message, StringComparison.Ordinal);
        Assert.Contains("Consul agent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HugeContentLength_InvalidResponseWithoutReading()
    {
        var body = new CountingStream(int.MaxValue);
        Handler.Respond = (_, _) =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) };
            response.Content.Headers.ContentLength = 17L * 1024 * 1024;
            response.Content.Headers.ContentType = new("application/json");
            return Task.FromResult(response);
        };

        var error = await Assert.ThrowsAsync<ConsulException>(() => Client.GetAgentServicesAsync(null, _ct));

        Assert.Equal(ConsulErrorReason.InvalidResponse, error.Reason);
        Assert.Contains("16 MiB", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, body.BytesRead);
    }

    [Fact]
    public async Task EndlessChunkedBody_StopsAtTheCap()
    {
        var body = new CountingStream(long.MaxValue);
        Handler.Respond = (_, _) =>
        {
            var response = Json("[]", index: 1);
            response.Content = new StreamContent(body);
            response.Content.Headers.ContentType = new("application/json");
            response.Headers.Add("X-Consul-Index", "1");
            return Task.FromResult(response);
        };

        var error = await Assert.ThrowsAsync<ConsulException>(() => Client.GetKeyNamesAsync("", null, QueryOptions.Default, _ct));

        Assert.Equal(ConsulErrorReason.InvalidResponse, error.Reason);
        Assert.InRange(body.BytesRead, ConsulApiClient.MaxResponseBytes, ConsulApiClient.MaxResponseBytes + (1024 * 1024));
    }

    [Fact]
    public async Task Token_NeverInExceptionsOrLogs()
    {
        var failures = new Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>[]
        {
            (_, _) => Task.FromResult(Text(HttpStatusCode.Forbidden, "ACL not found")),
            (_, _) => throw new HttpRequestException("refused"),
            (_, _) => Task.FromResult(Json("<html>")),
            (_, _) => Task.FromResult(Json("[]")),
        };
        var exceptions = new List<Exception>();
        foreach (var failure in failures)
        {
            Handler.Respond = failure;
            exceptions.Add(await Assert.ThrowsAsync<ConsulException>(() => Client.GetHealthServiceAsync("web", new HealthServiceQuery(), QueryOptions.Default, _ct)));
        }

        Handler.Respond = (_, _) => Task.FromResult(Empty());
        await Client.RegisterServiceAsync(new AgentServiceRegistration { Name = "web" }, false, _ct);

        Assert.All(exceptions, e => Assert.DoesNotContain(Token, e.ToString(), StringComparison.Ordinal));
        var records = _harness.Logs.GetSnapshot();
        Assert.NotEmpty(records);
        Assert.Contains(records, r => r.Id.Name == "ConsulRequestCompleted");
        Assert.All(records, r =>
        {
            Assert.DoesNotContain(Token, r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, r.Exception?.ToString() ?? string.Empty, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, string.Join(";", r.StructuredState?.Select(s => s.Value) ?? []), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Failures_AreLoggedWithStableEventNames()
    {
        Handler.Respond = (_, _) => Task.FromResult(Text(HttpStatusCode.Forbidden, "ACL not found"));
        await Assert.ThrowsAsync<ConsulException>(() => Client.GetLeaderAsync(_ct));
        Handler.Respond = (_, _) => Task.FromResult(Json("not json"));
        await Assert.ThrowsAsync<ConsulException>(() => Client.GetLeaderAsync(_ct));

        var events = _harness.Logs.GetSnapshot().Where(r => r.Category == typeof(ConsulApiClient).FullName).Select(r => (r.Id.Name, r.Level)).ToList();
        Assert.Contains(("ConsulApiError", Microsoft.Extensions.Logging.LogLevel.Debug), events);
        Assert.Contains(("ConsulInvalidResponse", Microsoft.Extensions.Logging.LogLevel.Warning), events);
    }

    /// <summary>An endless (or very long) JSON array holding one unterminated string; counts what was read from it.</summary>
    private sealed class CountingStream(long length) : Stream
    {
        private long _position;

        public long BytesRead => _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = (_position + i) switch
                {
                    0 => (byte)'[',
                    1 => (byte)'"',
                    _ => (byte)'a',
                };
            }

            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
