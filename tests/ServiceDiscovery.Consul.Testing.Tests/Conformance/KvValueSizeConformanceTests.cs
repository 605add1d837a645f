// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §11: <c>kv_max_value_size</c> is checked on the Content-Length only (kvs_endpoint.go <c>KVSPut</c>).</summary>
public sealed class KvValueSizeConformanceTests
{
    private const int Limit = 512 * 1024;

    [Fact]
    public async Task ContentLengthOverLimit_Returns413WithConsulText()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("big");
        var reply = await consul.PutAsync($"/v1/kv/{key}", new string('x', Limit + 1));
        Assert.Equal(413, reply.Status);
        Assert.StartsWith($"Request body({Limit + 1} bytes) too large, max size: {Limit} bytes. See ", reply.Text);
        Assert.Equal(404, (await consul.GetAsync($"/v1/kv/{key}")).Status);
        Assert.True((await consul.PutAsync($"/v1/kv/{key}", new string('x', Limit))).Json.GetValue<bool>());
    }

    [Fact]
    public async Task ChunkedBody_IsNotLimited_AsConsulOnlyChecksContentLength()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var key = consul.Name("chunked");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1/kv/{key}");
        request.Content = new StreamContent(new NoLengthStream(new byte[Limit + 10]));
        request.Headers.TransferEncodingChunked = true;
        using var response = await consul.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(200, (int)response.StatusCode);
        var raw = await consul.GetAsync($"/v1/kv/{key}?raw");
        Assert.Equal(Limit + 10, raw.ContentHeaders.ContentLength);
        await consul.DeleteAsync($"/v1/kv/{key}");
    }

    /// <summary>A stream whose length is unknown, so the request goes out chunked.</summary>
    private sealed class NoLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
