// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>docs/consul-http-api.md §0: routing, methods, 404/405/OPTIONS, error shape, common headers.</summary>
public sealed class RoutingConformanceTests
{
    [Theory]
    [InlineData("/v1/agent/service/register", "GET", "OPTIONS,PUT")]
    [InlineData("/v1/agent/service/deregister/x", "GET", "OPTIONS,PUT")]
    [InlineData("/v1/agent/check/pass/x", "GET", "OPTIONS,PUT")]
    [InlineData("/v1/agent/services", "PUT", "OPTIONS,GET")]
    [InlineData("/v1/health/service/web", "POST", "OPTIONS,GET")]
    [InlineData("/v1/kv/a", "POST", "OPTIONS,GET,PUT,DELETE")]
    public async Task WrongMethod_Returns405WithAllowAndText(string path, string method, string allow)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.SendAsync(new HttpMethod(method), path);
        Assert.Equal(405, reply.Status);
        Assert.Equal($"method {method} not allowed", reply.Text);
        Assert.Equal(allow, reply.ContentHeaders.Allow.Count > 0 ? string.Join(",", reply.ContentHeaders.Allow) : reply.Header("Allow"));
    }

    [Fact]
    public async Task Options_Returns200WithAllowAndNoBody()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.SendAsync(HttpMethod.Options, "/v1/agent/service/register");
        Assert.Equal(200, reply.Status);
        Assert.Equal("OPTIONS,PUT", string.Join(",", reply.ContentHeaders.Allow));
        Assert.Equal(string.Empty, reply.Text);
    }

    [Fact]
    public async Task UnknownV1Path_Returns404WithConsulText()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/nope");
        Assert.Equal(404, reply.Status);
        Assert.Equal("Invalid URL path: not a recognized HTTP API endpoint\n", reply.Text);
    }

    [Fact]
    public async Task Error_IsPlainTextWithoutTrailingNewline()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.PutAsync("/v1/agent/service/register", "{}");
        Assert.Equal(400, reply.Status);
        Assert.Equal("Missing service name", reply.Text);
        Assert.StartsWith("text/plain", reply.ContentHeaders.ContentType?.ToString());
    }

    [Fact]
    public async Task WrappedResponse_HasDefaultAclPolicyHeader()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/agent/services");
        Assert.Contains(reply.Header("X-Consul-Default-ACL-Policy"), new[] { "allow", "deny" });
    }

    [Fact]
    public async Task JsonResponse_HasApplicationJsonContentType()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var reply = await consul.GetAsync("/v1/agent/services");
        Assert.Equal(200, reply.Status);
        Assert.Equal("application/json", reply.ContentHeaders.ContentType?.MediaType);
    }

    [Fact]
    public async Task PathParameter_IsEverythingAfterPrefix()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = consul.Name("a/b");
        await consul.RegisterAsync($$$$"""{"ID":"{{{{id}}}}","Name":"{{{{consul.Name("svc")}}}}"}""");
        var reply = await consul.PutAsync($"/v1/agent/service/deregister/{id}");
        Assert.Equal(200, reply.Status);
        Assert.Equal(string.Empty, reply.Text);
    }

    [Fact]
    public async Task SubtreeRootWithoutSlash_RedirectsToSubtree()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = consul.Http.BaseAddress };
        using var response = await client.GetAsync("/v1/kv", TestContext.Current.CancellationToken);
        Assert.Equal(301, (int)response.StatusCode);
        Assert.Equal("/v1/kv/", response.Headers.Location?.OriginalString);
    }
}
