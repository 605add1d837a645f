// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using System.Text.Json;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Digests;
using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Tests.Consul.Fakes;
using static ServiceDiscovery.AspNetCore.Tests.Consul.Fakes.FakeHttpMessageHandler;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

/// <summary>The digests read from <c>/v1/health/state</c> and <c>/v1/catalog/services</c> answers agree with the digests of the decoded answers.</summary>
public sealed class AnswerDigestTests
{
    private static readonly HealthCheck[] Checks =
    [
        Check("web", "web-1", "passing"),
        Check("web", "web-2", "critical") with { Output = "HTTP GET http://127.0.0.1:5000/health: 503 \"Service Unavailable\" <b>&</b> ünïcödé" },
        Check("db", "db-1", "warning") with { ServiceTags = ["primary", "v2"], ModifyIndex = 981 },
        Check(new string('s', 300), "long-1", "passing"),
        new HealthCheck { CheckID = "serfHealth", Status = "passing", Node = "n1", Output = "Agent alive and reachable" },
    ];

    [Fact]
    public void Parse_EqualsDigestOfDecodedChecks()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(Checks.ToList(), ConsulJsonContext.Default.ListHealthCheck);

        var parsed = HealthStateDigest.Parse(json);

        Assert.Equal(HealthStateDigest.Of(Checks), parsed);
        Assert.Equal(["db", new string('s', 300), "web"], parsed.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2UL, parsed["web"] >> 32);
    }

    [Fact]
    public void Parse_EscapedStringsAndAnyPropertyOrder_SameAsPlainText()
    {
        // Go's encoder escapes <, > and & as \u003c, \u003e, \u0026; the digest covers the text, not its spelling.
        var escaped = """
            [{"ModifyIndex":7,"Definition":{"HTTP":"x","Header":{"a":["b"]}},"Output":"\u003cb\u003e \u0026 \"q\"","ServiceTags":["t"],
              "Status":"passing","ServiceName":"w\u0065b","ServiceID":"web-1","CheckID":"c1","Node":"n1","Type":"http","ExposedPort":0}]
            """u8;
        var plain = new HealthCheck { Node = "n1", CheckID = "c1", Status = "passing", Output = "<b> & \"q\"", ServiceID = "web-1", ServiceName = "web", ModifyIndex = 7 };

        Assert.Equal(HealthStateDigest.Of([plain]), HealthStateDigest.Parse(escaped));
    }

    [Theory]
    [InlineData("Status", "critical")]
    [InlineData("Output", "slow")]
    [InlineData("Node", "n2")]
    [InlineData("CheckID", "c2")]
    [InlineData("ServiceID", "web-2")]
    public void Parse_AnyTrackedFieldChange_ChangesTheDigest(string field, string value)
    {
        var before = HealthStateDigest.Parse(Encoding.UTF8.GetBytes("""[{"Node":"n1","CheckID":"c1","Status":"passing","Output":"ok","ServiceID":"web-1","ServiceName":"web","ModifyIndex":5}]"""));
        var after = HealthStateDigest.Parse(Encoding.UTF8.GetBytes(
            $$"""[{"Node":"n1","CheckID":"c1","Status":"passing","Output":"ok","ServiceID":"web-1","ServiceName":"web","ModifyIndex":5,"{{field}}":"{{value}}"}]"""));

        Assert.NotEqual(before["web"], after["web"]);
    }

    [Fact]
    public void Parse_ValuesOfAnotherKind_AreSkippedWholeAndTheRestIsRead()
    {
        var parsed = HealthStateDigest.Parse("""
            [{"ServiceName":{"nested":["x",{"ServiceName":"ghost"}]},"ModifyIndex":{"a":1},"CheckID":"c1"},
             {"ServiceName":"web","CheckID":"c2","Output":["not","text"],"ModifyIndex":"3"}]
            """u8);

        Assert.Equal(["web"], parsed.Keys);
    }

    [Fact]
    public void Parse_EmptyArray_NoNames() => Assert.Empty(HealthStateDigest.Parse("[]"u8));

    [Theory]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("[1]")]
    [InlineData("[{\"ServiceName\":\"web\"")]
    [InlineData("[{\"ServiceName\":\"web\",\"ModifyIndex\":-1}]")]
    public void Parse_NotAnArrayOfChecks_Throws(string body)
        => Assert.ThrowsAny<JsonException>(() => HealthStateDigest.Parse(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public async Task Client_ReadsTheStateEndpointAsDigests()
    {
        using var harness = new ConsulClientHarness();
        var json = JsonSerializer.Serialize(Checks.ToList(), ConsulJsonContext.Default.ListHealthCheck);
        harness.Handler.Respond = (_, _) => Task.FromResult(Json(json, index: 42));

        var result = await harness.Client.GetHealthStateDigestAsync("any", new QueryOptions { Index = 41, Wait = TimeSpan.FromSeconds(5) }, TestContext.Current.CancellationToken);

        Assert.Equal("/v1/health/state/any?index=41&wait=5000ms", harness.Handler.Single.PathAndQuery);
        Assert.Equal(42UL, result.LastIndex);
        Assert.Equal(HealthStateDigest.Of(Checks), result.Value);
    }

    [Fact]
    public async Task Client_MalformedState_IsAnInvalidResponse()
    {
        using var harness = new ConsulClientHarness();
        harness.Handler.Respond = (_, _) => Task.FromResult(Json("""[{"ServiceName":"web","CheckID":""", index: 42));

        var error = await Assert.ThrowsAsync<ConsulException>(() => harness.Client.GetHealthStateDigestAsync("any", new QueryOptions(), TestContext.Current.CancellationToken));

        Assert.Equal(ConsulErrorReason.InvalidResponse, error.Reason);
    }

    [Fact]
    public void Catalog_ParseEqualsDigestOfDecodedAnswer()
    {
        var longName = new string('n', 300);
        var services = new Dictionary<string, IReadOnlyList<string>>
        {
            ["consul"] = [],
            ["web"] = ["a", "b<&>"],
            ["db"] = ["primary"],
            [longName] = ["x"],
        };
        var json = $$"""{"consul":[],"web":["b\u003c\u0026\u003e","a"],"db":["primary"],"{{longName}}":["x"]}""";

        var parsed = CatalogServicesDigest.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(CatalogServicesDigest.Of(services), parsed);
    }

    [Fact]
    public void Catalog_TagChange_ChangesOnlyThatName()
    {
        var before = CatalogServicesDigest.Parse("""{"web":["a"],"db":["b"]}"""u8);
        var after = CatalogServicesDigest.Parse("""{"web":["a","c"],"db":["b"]}"""u8);

        Assert.NotEqual(before["web"], after["web"]);
        Assert.Equal(before["db"], after["db"]);
    }

    [Fact]
    public void Catalog_NullTagsAreNoTags_AndPresentDiffersFromAbsent()
    {
        var parsed = CatalogServicesDigest.Parse("""{"bare":null,"empty":[]}"""u8);

        Assert.Equal(parsed["empty"], parsed["bare"]);
        Assert.False(parsed.ContainsKey("absent"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"web":"a"}""")]
    [InlineData("""{"web":["a" """)]
    public void Catalog_NotAnObjectOfTagArrays_Throws(string body)
        => Assert.ThrowsAny<JsonException>(() => CatalogServicesDigest.Parse(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public async Task Client_ReadsCatalogServicesAsDigests()
    {
        using var harness = new ConsulClientHarness();
        harness.Handler.Respond = (_, _) => Task.FromResult(Json("""{"consul":[],"web":["v1"]}""", index: 9));

        var result = await harness.Client.GetCatalogServicesDigestAsync(new QueryOptions { Index = 8, Wait = TimeSpan.FromSeconds(5) }, TestContext.Current.CancellationToken);

        Assert.Equal("/v1/catalog/services?index=8&wait=5000ms", harness.Handler.Single.PathAndQuery);
        Assert.Equal(9UL, result.LastIndex);
        Assert.Equal(CatalogServicesDigest.Of(new Dictionary<string, IReadOnlyList<string>> { ["consul"] = [], ["web"] = ["v1"] }), result.Value);
    }

    private static HealthCheck Check(string service, string id, string status) => new()
    {
        CheckID = "service:" + id,
        Status = status,
        Node = "n1",
        ServiceID = id,
        ServiceName = service,
        ModifyIndex = 12,
    };
}
