// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Text;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Tests.Consul.Fakes;
using static ServiceDiscovery.AspNetCore.Tests.Consul.Fakes.FakeHttpMessageHandler;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

/// <summary>Exact method, path, query and headers of every call (docs/consul-http-api.md §1-§14).</summary>
public sealed class ConsulApiClientRequestTests : IDisposable
{
    private readonly ConsulClientHarness _harness = new(o => o.Token = "config-token");
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    private FakeHttpMessageHandler Handler => _harness.Handler;

    private ConsulApiClient Client => _harness.Client;

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task RegisterServiceAsync_ReplaceExistingChecks_PutsJsonWithQueryFlag()
    {
        Handler.Respond = (_, _) => Task.FromResult(Empty());

        await Client.RegisterServiceAsync(new AgentServiceRegistration { ID = "web-1", Name = "web", Port = 8080 }, replaceExistingChecks: true, _ct);

        var request = Handler.Single;
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("http://consul.test:8500/v1/agent/service/register?replace-existing-checks=true", request.Uri.AbsoluteUri);
        Assert.Equal("application/json", request.ContentType);
        Assert.Equal("""{"ID":"web-1","Name":"web","Port":8080}""", request.BodyText);
        Assert.Equal("config-token", request.Header("X-Consul-Token"));
    }

    [Fact]
    public async Task RegisterServiceAsync_NoReplace_OmitsQuery()
    {
        Handler.Respond = (_, _) => Task.FromResult(Empty());

        await Client.RegisterServiceAsync(new AgentServiceRegistration { Name = "web" }, replaceExistingChecks: false, _ct);

        Assert.Equal("/v1/agent/service/register", Handler.Single.PathAndQuery);
    }

    [Theory]
    [InlineData("web-1", "/v1/agent/service/deregister/web-1")]
    [InlineData("demo/pg1", "/v1/agent/service/deregister/demo%2Fpg1")]
    [InlineData("a b?c#d%", "/v1/agent/service/deregister/a%20b%3Fc%23d%25")]
    public async Task DeregisterServiceAsync_EncodesIdAsOneSegment(string id, string expectedPath)
    {
        Handler.Respond = (_, _) => Task.FromResult(Empty());

        Assert.True(await Client.DeregisterServiceAsync(id, _ct));

        Assert.Equal(HttpMethod.Put, Handler.Single.Method);
        Assert.Equal(expectedPath, Handler.Single.PathAndQuery);
    }

    [Fact]
    public async Task DeregisterServiceAsync_UnknownId_ReturnsFalse()
    {
        Handler.Respond = (_, _) => Task.FromResult(Text(HttpStatusCode.NotFound, "Unknown service ID \"x\". Ensure that the service ID is passed, not the service name."));

        Assert.False(await Client.DeregisterServiceAsync("x", _ct));
    }

    [Fact]
    public async Task GetAgentServiceAsync_Found_ReadsServiceAndHash()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("""{"ID":"web-1","Service":"web","Tags":[],"Meta":{},"Port":8080,"Address":"","Weights":{"Passing":1,"Warning":1},"EnableTagOverride":false,"ContentHash":"3e3d1c2f","Datacenter":"dc1"}"""));

        var service = await Client.GetAgentServiceAsync("web-1", _ct);

        Assert.Equal("/v1/agent/service/web-1", Handler.Single.PathAndQuery);
        Assert.Equal(HttpMethod.Get, Handler.Single.Method);
        Assert.NotNull(service);
        Assert.Equal("3e3d1c2f", service.ContentHash);
        Assert.Equal(8080, service.Port);
    }

    [Fact]
    public async Task GetAgentServiceAsync_NotFound_ReturnsNull()
    {
        Handler.Respond = (_, _) => Task.FromResult(Text(HttpStatusCode.NotFound, "unknown service ID: web-9"));

        Assert.Null(await Client.GetAgentServiceAsync("web-9", _ct));
    }

    [Fact]
    public async Task GetAgentServicesAsync_Filter_IsEncoded()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("{}"));

        await Client.GetAgentServicesAsync("Service == \"web\" and \"v1\" in Tags", _ct);

        Assert.Equal("/v1/agent/services?filter=Service%20%3D%3D%20%22web%22%20and%20%22v1%22%20in%20Tags", Handler.Single.PathAndQuery);
    }

    [Fact]
    public async Task GetAgentChecksAsync_NoFilter_PlainPath()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("{}"));

        var checks = await Client.GetAgentChecksAsync(filter: null, _ct);

        Assert.Empty(checks);
        Assert.Equal("/v1/agent/checks", Handler.Single.PathAndQuery);
        Assert.Equal(HttpMethod.Get, Handler.Single.Method);
    }

    [Theory]
    [InlineData(true, "deploying v2", "/v1/agent/service/maintenance/web-1?enable=true&reason=deploying%20v2")]
    [InlineData(true, null, "/v1/agent/service/maintenance/web-1?enable=true")]
    [InlineData(false, "ignored", "/v1/agent/service/maintenance/web-1?enable=false")]
    public async Task SetServiceMaintenanceAsync_SendsEnableAndReason(bool enable, string? reason, string expected)
    {
        Handler.Respond = (_, _) => Task.FromResult(Empty());

        await Client.SetServiceMaintenanceAsync("web-1", enable, reason, _ct);

        Assert.Equal(HttpMethod.Put, Handler.Single.Method);
        Assert.Equal(expected, Handler.Single.PathAndQuery);
    }

    [Theory]
    [InlineData(ConsulCheckStatus.Passing, "all good", """{"Status":"passing","Output":"all good"}""")]
    [InlineData(ConsulCheckStatus.Warning, "slow", """{"Status":"warning","Output":"slow"}""")]
    [InlineData(ConsulCheckStatus.Critical, null, """{"Status":"critical"}""")]
    public async Task UpdateTtlAsync_PutsStatusAndOutput(ConsulCheckStatus status, string? output, string expectedBody)
    {
        Handler.Respond = (_, _) => Task.FromResult(Empty());

        await Client.UpdateTtlAsync("service:web-1", status, output, _ct);

        var request = Handler.Single;
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("/v1/agent/check/update/service%3Aweb-1", request.PathAndQuery);
        Assert.Equal(expectedBody, request.BodyText);
    }

    [Fact]
    public async Task UpdateTtlAsync_Maintenance_Throws()
        => await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Client.UpdateTtlAsync("c", ConsulCheckStatus.Maintenance, null, _ct));

    [Theory]
    [InlineData(ConsulCheckStatus.Passing, "ok", "/v1/agent/check/pass/service%3Aweb-2?note=ok")]
    [InlineData(ConsulCheckStatus.Warning, null, "/v1/agent/check/warn/service%3Aweb-2")]
    [InlineData(ConsulCheckStatus.Critical, "down & out", "/v1/agent/check/fail/service%3Aweb-2?note=down%20%26%20out")]
    public async Task SetTtlAsync_UsesVerbPathAndNote(ConsulCheckStatus status, string? note, string expected)
    {
        Handler.Respond = (_, _) => Task.FromResult(Empty());

        await Client.SetTtlAsync("service:web-2", status, note, _ct);

        Assert.Equal(HttpMethod.Put, Handler.Single.Method);
        Assert.Equal(expected, Handler.Single.PathAndQuery);
    }

    [Fact]
    public async Task GetAgentSelfAsync_GetsSelf()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json(ConsulJsonShapes.AgentSelf));

        var self = await Client.GetAgentSelfAsync(_ct);

        Assert.Equal("/v1/agent/self", Handler.Single.PathAndQuery);
        Assert.Equal("dc1", self.Config.Datacenter);
    }

    [Fact]
    public async Task GetHealthServiceAsync_AllParameters_InConsulOrder()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("[]", index: 42));
        var query = new HealthServiceQuery { PassingOnly = true, Tags = ["v1", "primary"], Near = "_agent" };
        var options = new QueryOptions { Index = 41, Wait = TimeSpan.FromSeconds(30), Consistency = ConsulConsistencyMode.Stale, Datacenter = "dc2", Filter = "Service.Meta.version == \"2\"" };

        var result = await Client.GetHealthServiceAsync("web", query, options, _ct);

        Assert.Equal(
            "/v1/health/service/web?tag=v1&tag=primary&passing=1&near=_agent&dc=dc2&index=41&wait=30000ms&stale&filter=Service.Meta.version%20%3D%3D%20%222%22",
            Handler.Single.PathAndQuery);
        Assert.Equal(HttpMethod.Get, Handler.Single.Method);
        Assert.Equal(42UL, result.LastIndex);
        Assert.Empty(result.Value);
    }

    [Fact]
    public async Task GetHealthServiceAsync_Defaults_OnlyConfiguredDatacenter()
    {
        using var harness = new ConsulClientHarness(o => o.Datacenter = "east");
        harness.Handler.Respond = (_, _) => Task.FromResult(Json("[]", index: 1));

        await harness.Client.GetHealthServiceAsync("my svc", new HealthServiceQuery(), QueryOptions.Default, _ct);

        Assert.Equal("/v1/health/service/my%20svc?dc=east", harness.Handler.Single.PathAndQuery);
        Assert.Null(harness.Handler.Single.Header("X-Consul-Token"));
    }

    [Theory]
    [InlineData(ConsulConsistencyMode.Consistent, "?consistent")]
    [InlineData(ConsulConsistencyMode.Stale, "?stale")]
    [InlineData(ConsulConsistencyMode.Default, "")]
    public async Task GetCatalogServicesAsync_Consistency(ConsulConsistencyMode mode, string expectedQuery)
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("""{"consul":[],"web":["v1"]}""", index: 7));

        var result = await Client.GetCatalogServicesAsync(new QueryOptions { Consistency = mode }, _ct);

        Assert.Equal("/v1/catalog/services" + expectedQuery, Handler.Single.PathAndQuery);
        Assert.Equal(["v1"], result.Value["web"]);
        Assert.Empty(result.Value["consul"]);
    }

    [Fact]
    public async Task GetCatalogServicesAsync_NullTagList_ReadsAsEmpty()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("""{"consul":null}""", index: 7));

        var result = await Client.GetCatalogServicesAsync(QueryOptions.Default, _ct);

        Assert.Empty(result.Value["consul"]);
    }

    [Fact]
    public async Task GetCatalogServiceAsync_RepeatedTags()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("[]", index: 3));

        await Client.GetCatalogServiceAsync("web", ["a", "b c"], new QueryOptions { Index = 2, Wait = TimeSpan.FromMilliseconds(0.4) }, _ct);

        // A positive wait under 1 ms goes out as 1ms, as the Go client sends it.
        Assert.Equal("/v1/catalog/service/web?tag=a&tag=b%20c&index=2&wait=1ms", Handler.Single.PathAndQuery);
    }

    [Theory]
    [InlineData("config/app/key", "/v1/kv/config/app/key")]
    [InlineData("/leading/slash", "/v1/kv/leading/slash")]
    [InlineData("a b/c?d", "/v1/kv/a%20b/c%3Fd")]
    public async Task GetKeyAsync_KeepsSlashesEncodesTheRest(string key, string expectedPath)
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("""[{"LockIndex":0,"Key":"k","Flags":0,"Value":"aGk=","CreateIndex":5,"ModifyIndex":6}]""", index: 6));

        var result = await Client.GetKeyAsync(key, QueryOptions.Default, _ct);

        Assert.Equal(expectedPath, Handler.Single.PathAndQuery);
        Assert.Equal("hi"u8.ToArray(), result.Value!.Value);
    }

    [Fact]
    public async Task GetKeyAsync_NotFound_NullValueWithIndex()
    {
        Handler.Respond = (_, _) =>
        {
            var response = Empty(HttpStatusCode.NotFound);
            response.Headers.Add("X-Consul-Index", "77");
            return Task.FromResult(response);
        };

        var result = await Client.GetKeyAsync("missing", QueryOptions.Default, _ct);

        Assert.Null(result.Value);
        Assert.Equal(77UL, result.LastIndex);
    }

    [Fact]
    public async Task GetKeyAsync_EmptyKey_Throws()
        => await Assert.ThrowsAsync<ArgumentException>(() => Client.GetKeyAsync("/", QueryOptions.Default, _ct));

    [Fact]
    public async Task ListKeysAsync_Recurse_AbsentPrefixIsEmpty()
    {
        Handler.Respond = (_, _) =>
        {
            var response = Empty(HttpStatusCode.NotFound);
            response.Headers.Add("X-Consul-Index", "9");
            return Task.FromResult(response);
        };

        var result = await Client.ListKeysAsync("config/", new QueryOptions { Index = 8, Wait = TimeSpan.FromMinutes(1) }, _ct);

        Assert.Equal("/v1/kv/config/?recurse&index=8&wait=60000ms", Handler.Single.PathAndQuery);
        Assert.Empty(result.Value);
        Assert.Equal(9UL, result.LastIndex);
    }

    [Fact]
    public async Task GetKeyNamesAsync_KeysAndSeparator()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("""["config/a","config/b/"]""", index: 4));

        var result = await Client.GetKeyNamesAsync("config/", "/", QueryOptions.Default, _ct);

        Assert.Equal("/v1/kv/config/?keys&separator=%2F", Handler.Single.PathAndQuery);
        Assert.Equal(["config/a", "config/b/"], result.Value);
    }

    [Fact]
    public async Task PutKeyAsync_RawBodyCasAndFlags()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("false"));

        var stored = await Client.PutKeyAsync("config/x", Encoding.UTF8.GetBytes("{\"a\":1}"), cas: 0, flags: 42, _ct);

        var request = Handler.Single;
        Assert.False(stored);
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("/v1/kv/config/x?cas=0&flags=42", request.PathAndQuery);
        Assert.Equal("{\"a\":1}", request.BodyText);
        Assert.Equal("application/octet-stream", request.ContentType);
    }

    [Fact]
    public async Task DeleteKeyAsync_RecurseAndCas()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("true"));

        Assert.True(await Client.DeleteKeyAsync("config/", recurse: true, cas: 12, _ct));

        Assert.Equal(HttpMethod.Delete, Handler.Single.Method);
        Assert.Equal("/v1/kv/config/?recurse&cas=12", Handler.Single.PathAndQuery);
    }

    [Fact]
    public async Task GetLeaderAsync_ReadsJsonString()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("\"127.0.0.1:8300\""));

        Assert.Equal("127.0.0.1:8300", await Client.GetLeaderAsync(_ct));
        Assert.Equal("/v1/status/leader", Handler.Single.PathAndQuery);
    }

    [Fact]
    public async Task QueryOptionsToken_OverridesConfiguredToken()
    {
        Handler.Respond = (_, _) => Task.FromResult(Json("[]", index: 1));

        await Client.GetHealthServiceAsync("web", new HealthServiceQuery(), new QueryOptions { Token = "override" }, _ct);
        await Client.GetHealthServiceAsync("web", new HealthServiceQuery(), QueryOptions.Default, _ct);

        Assert.Equal("override", Handler.Requests[0].Header("X-Consul-Token"));
        Assert.Equal("config-token", Handler.Requests[1].Header("X-Consul-Token"));
        Assert.DoesNotContain("token", Handler.Requests[0].PathAndQuery, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task BlockingHeaders_AreParsed()
    {
        Handler.Respond = (_, _) =>
        {
            var response = Json("[]", index: 1234);
            response.Headers.Add("X-Consul-KnownLeader", "true");
            response.Headers.Add("X-Consul-LastContact", "250");
            return Task.FromResult(response);
        };

        var result = await Client.GetHealthServiceAsync("web", new HealthServiceQuery(), new QueryOptions { Index = 1000 }, _ct);

        Assert.Equal(1234UL, result.LastIndex);
        Assert.True(result.KnownLeader);
        Assert.Equal(TimeSpan.FromMilliseconds(250), result.LastContact);
        Assert.Equal(1234UL, result.NextIndex(1000));
    }

    [Fact]
    public async Task BlockingHeaders_NoLeader_FalseAndZero()
    {
        Handler.Respond = (_, _) =>
        {
            var response = Json("[]", index: 5);
            response.Headers.Add("X-Consul-KnownLeader", "false");
            return Task.FromResult(response);
        };

        var result = await Client.GetHealthServiceAsync("web", new HealthServiceQuery(), QueryOptions.Default, _ct);

        Assert.False(result.KnownLeader);
        Assert.Equal(TimeSpan.Zero, result.LastContact);
    }

    [Fact]
    public async Task Ipv6Address_IsUsedAsIs()
    {
        using var harness = new ConsulClientHarness(o => o.Address = "http://[::1]:8500");
        harness.Handler.Respond = (_, _) => Task.FromResult(Json("\"\""));

        Assert.Equal(string.Empty, await harness.Client.GetLeaderAsync(_ct));
        Assert.Equal("http://[::1]:8500/v1/status/leader", harness.Handler.Single.Uri.AbsoluteUri);
    }
}
