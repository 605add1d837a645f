// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Connect;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

public sealed class SpiffeIdParserTests
{
    private const string Td = "11111111-2222-3333-4444-555555555555.consul";

    [Fact]
    public void ServiceIdentityAsConsulWritesIt()
    {
        Assert.True(SpiffeIdParser.TryParse($"spiffe://{Td}/ns/default/dc/dc1/svc/catalog", out var id, out var problem));
        Assert.Null(problem);
        Assert.Equal(new SpiffeId(SpiffeIdKind.Service, Td, "default", "default", "dc1", "catalog"), id);
        Assert.True(id.IsInTrustDomain(Td));
        Assert.False(id.IsInTrustDomain("99999999-2222-3333-4444-555555555555.consul"));
        Assert.Equal($"spiffe://{Td}/ns/default/dc/dc1/svc/catalog", id.ToString());
    }

    [Fact]
    public void ServiceIdentityWithPartition()
    {
        Assert.True(SpiffeIdParser.TryParse($"spiffe://{Td}/ap/team-a/ns/billing/dc/eu_west.1/svc/api-v2", out var id, out _));
        Assert.Equal(new SpiffeId(SpiffeIdKind.Service, Td, "team-a", "billing", "eu_west.1", "api-v2"), id);
        Assert.Equal($"spiffe://{Td}/ap/team-a/ns/billing/dc/eu_west.1/svc/api-v2", id.ToString());
    }

    [Theory]
    [InlineData("/agent/client/dc/dc1/id/node-1", "Agent", "default", "dc1", "node-1")]
    [InlineData("/ap/part/agent/client/dc/dc1/id/node-1", "Agent", "part", "dc1", "node-1")]
    [InlineData("/agent/server/dc/dc1", "Server", "default", "dc1", "")]
    [InlineData("/gateway/mesh/dc/dc2", "MeshGateway", "default", "dc2", "")]
    [InlineData("/ap/part/gateway/mesh/dc/dc2", "MeshGateway", "part", "dc2", "")]
    public void OtherKindsAreRecognised(string path, string kind, string partition, string datacenter, string name)
    {
        Assert.True(SpiffeIdParser.TryParse($"spiffe://{Td}{path}", out var id, out _));
        Assert.Equal(kind, id.Kind.ToString());
        Assert.Equal(partition, id.Partition);
        Assert.Equal(datacenter, id.Datacenter);
        Assert.Equal(name, id.Name);
        Assert.Equal($"spiffe://{Td}{path}", id.ToString());
    }

    [Fact]
    public void SigningIdentityHasNoPath()
    {
        Assert.True(SpiffeIdParser.TryParse($"spiffe://{Td}", out var id, out _));
        Assert.Equal(SpiffeIdKind.Signing, id.Kind);
        Assert.Equal(Td, id.TrustDomain);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("https://td.consul/ns/default/dc/dc1/svc/catalog", "does not start with 'spiffe://'")]
    [InlineData("SPIFFE://td.consul/ns/default/dc/dc1/svc/catalog", "does not start with 'spiffe://'")]
    [InlineData("spiffe:/td.consul/ns/default/dc/dc1/svc/catalog", "does not start with 'spiffe://'")]
    [InlineData(" spiffe://td.consul/ns/default/dc/dc1/svc/catalog", "does not start with 'spiffe://'")]
    [InlineData("spiffe://", "trust domain ''")]
    [InlineData("spiffe:///ns/default/dc/dc1/svc/catalog", "trust domain ''")]
    [InlineData("spiffe://TD.consul/ns/default/dc/dc1/svc/catalog", "trust domain 'TD.consul'")]
    [InlineData("spiffe://td.consul:8443/ns/default/dc/dc1/svc/catalog", "trust domain 'td.consul:8443'")]
    [InlineData("spiffe://user@td.consul/ns/default/dc/dc1/svc/catalog", "trust domain 'user@td.consul'")]
    [InlineData("spiffe://td.consul?x=1", "trust domain 'td.consul?x=1'")]
    [InlineData("spiffe://td.consul#frag", "trust domain 'td.consul#frag'")]
    [InlineData("spiffe://td consul/ns/default/dc/dc1/svc/catalog", "trust domain 'td consul'")]
    [InlineData("spiffe://td.consul/ns/default/dc/dc1/svc/catalog/", "path segment ''")]
    [InlineData("spiffe://td.consul//ns/default/dc/dc1/svc/catalog", "path segment ''")]
    [InlineData("spiffe://td.consul/ns/default/dc//svc/catalog", "path segment ''")]
    [InlineData("spiffe://td.consul/ns/default/dc/dc1/svc/cat%61log", "path segment 'cat%61log'")]
    [InlineData("spiffe://td.consul/ns/default/dc/dc1/svc/catalog?x=1", "path segment 'catalog?x=1'")]
    [InlineData("spiffe://td.consul/ns/default/dc/dc1/svc/catalog#x", "path segment 'catalog#x'")]
    [InlineData("spiffe://td.consul/ns/default/dc/../svc/catalog", "path segment '..'")]
    [InlineData("spiffe://td.consul/ns/./dc/dc1/svc/catalog", "path segment '.'")]
    [InlineData("spiffe://td.consul/ns/default/dc/dc 1/svc/catalog", "path segment 'dc 1'")]
    [InlineData("spiffe://td.consul/ns/default/dc/dc1/svc/caté", "path segment 'caté'")]
    [InlineData("spiffe://td.consul/", "path segment ''")]
    [InlineData("spiffe://consul", "not '<cluster id>.<domain>'")]
    [InlineData("spiffe://.consul", "not '<cluster id>.<domain>'")]
    [InlineData("spiffe://td.", "not '<cluster id>.<domain>'")]
    [InlineData("spiffe://td.consul/ns/default/dc/dc1/svc", "not a Consul identity")]
    [InlineData("spiffe://td.consul/ns/default/dc/dc1", "not a Consul identity")]
    [InlineData("spiffe://td.consul/ns/default/dc/dc1/svc/catalog/extra", "not a Consul identity")]
    [InlineData("spiffe://td.consul/ns/default/datacenter/dc1/svc/catalog", "not a Consul identity")]
    [InlineData("spiffe://td.consul/NS/default/dc/dc1/svc/catalog", "not a Consul identity")]
    [InlineData("spiffe://td.consul/dc/dc1/ns/default/svc/catalog", "not a Consul identity")]
    [InlineData("spiffe://td.consul/ap/p/agent/server/dc/dc1", "not a Consul identity")]
    [InlineData("spiffe://td.consul/ap/ns/default/dc/dc1/svc/catalog", "not a Consul identity")]
    [InlineData("spiffe://td.consul/ap/p/ap/q/gateway/mesh/dc/dc1", "not a Consul identity")]
    [InlineData("spiffe://td.consul/agent/client/dc/dc1", "not a Consul identity")]
    [InlineData("spiffe://td.consul/gateway/terminating/dc/dc1", "not a Consul identity")]
    [InlineData("spiffe://td.consul/ap/p/ns/n/identity/web", "not a Consul identity")]
    [InlineData("spiffe://td.consul/a/b/c/d/e/f/g/h/i/j/k", "more path segments")]
    public void MalformedInputIsRefusedWithItsProblem(string? text, string expected)
    {
        Assert.False(SpiffeIdParser.TryParse(text, out var id, out var problem));
        Assert.Null(id);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void OverlongInputIsRefused()
    {
        var text = $"spiffe://{Td}/ns/default/dc/dc1/svc/" + new string('a', SpiffeIdParser.MaxLength);
        Assert.False(SpiffeIdParser.TryParse(text, out _, out var problem));
        Assert.Contains("at most 2048", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ForServiceBuildsTheIdentityConsulIssues()
    {
        var id = SpiffeId.ForService(Td, "dc1", "orders");
        Assert.Equal($"spiffe://{Td}/ns/default/dc/dc1/svc/orders", id.ToString());
        Assert.True(SpiffeIdParser.TryParse(id.ToString(), out var parsed, out _));
        Assert.Equal(id, parsed);
    }
}
