// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

/// <summary>Reads the shapes docs/consul-http-api.md documents; writes the exact JSON Consul expects.</summary>
public sealed class ConsulJsonTests
{
    private static readonly ConsulJsonContext Context = ConsulJsonContext.Default;

    [Fact]
    public void AgentServices_DocumentedShape_Reads()
    {
        var services = JsonSerializer.Deserialize(ConsulJsonShapes.AgentServices, Context.DictionaryStringAgentService)!;

        var web = services["web-1"];
        Assert.Equal("web", web.Service);
        Assert.Equal(["v1"], web.Tags);
        Assert.Equal("1", web.Meta["ver"]);
        Assert.Equal(8080, web.Port);
        Assert.Equal(new ServiceAddress("10.0.0.5", 8080), web.TaggedAddresses!["lan_ipv4"]);
        Assert.Equal(new ServiceWeights(1, 1), web.Weights);
        Assert.Equal("dc1", web.Datacenter);
        Assert.Null(web.Kind);
    }

    [Fact]
    public void AgentChecks_DocumentedShape_Reads()
    {
        var checks = JsonSerializer.Deserialize(ConsulJsonShapes.AgentChecks, Context.DictionaryStringHealthCheck)!;

        var check = checks["web-1-http"];
        Assert.Equal("critical", check.Status);
        Assert.Equal("web-1", check.ServiceID);
        Assert.Equal("http", check.Type);
        Assert.Equal("10s", check.Interval);
        Assert.Equal(["v1"], check.ServiceTags);
    }

    [Fact]
    public void HealthService_RealEntry_NullMetaAbsentPortAndSerfHealth()
    {
        var entries = JsonSerializer.Deserialize(ConsulJsonShapes.HealthServiceReal, Context.ListServiceEntry)!;

        var entry = Assert.Single(entries);
        Assert.Equal("node1", entry.Node.Name);
        Assert.Equal("10.1.10.12", entry.Node.TaggedAddresses!["wan_ipv4"]);
        Assert.Equal("worker-1", entry.Service.ID);
        Assert.Equal(0, entry.Service.Port);
        Assert.Null(entry.Service.Meta);
        Assert.Empty(entry.Service.Tags);
        Assert.Equal(20UL, entry.Service.CreateIndex);
        Assert.Collection(
            entry.Checks,
            serf =>
            {
                Assert.Equal("serfHealth", serf.CheckID);
                Assert.Equal(string.Empty, serf.ServiceID);
                Assert.Equal("Agent alive and reachable", serf.Output);
            },
            ttl => Assert.Equal("warning", ttl.Status));
        Assert.Equal(ConsulCheckStatus.Warning, ConsulHealth.AggregatedStatus(entry.Checks));
    }

    [Fact]
    public void HealthService_DocsSample_LowercaseTaggedAddressKeys()
    {
        var entry = Assert.Single(JsonSerializer.Deserialize(ConsulJsonShapes.HealthServiceDocsSample, Context.ListServiceEntry)!);

        Assert.Equal("foobar", entry.Node.Name);
        Assert.Equal(new ServiceAddress("198.18.1.2", 80), entry.Service.TaggedAddresses!["wan"]);
        Assert.Equal(new ServiceWeights(10, 1), entry.Service.Weights);
        Assert.Equal(8000, entry.Service.Port);
        Assert.Equal(2, entry.Checks.Count);
    }

    [Fact]
    public void HealthService_NullChecksAndTags_ReadAsEmpty()
    {
        const string json = """[{"Node":{"Node":"n"},"Service":{"ID":"a","Service":"a","Tags":null},"Checks":null}]""";

        var entry = Assert.Single(JsonSerializer.Deserialize(json, Context.ListServiceEntry)!);

        Assert.Empty(entry.Checks);
        Assert.Empty(entry.Service.Tags);
    }

    [Fact]
    public void Kv_Base64ValuesAndNull()
    {
        var pairs = JsonSerializer.Deserialize(ConsulJsonShapes.KvRecurse, Context.ListKVPair)!;

        Assert.Equal("orders"u8.ToArray(), pairs[0].Value);
        Assert.Equal(42UL, pairs[0].Flags);
        Assert.Equal(200UL, pairs[0].ModifyIndex);
        Assert.Null(pairs[1].Value);
        Assert.Equal(1UL, pairs[1].LockIndex);
        Assert.NotNull(pairs[1].Session);
    }

    [Fact]
    public void AgentSelf_ReadsConfigAndMember()
    {
        var self = JsonSerializer.Deserialize(ConsulJsonShapes.AgentSelf, Context.AgentSelf)!;

        Assert.Equal("dc1", self.Config.Datacenter);
        Assert.Equal("node1", self.Config.NodeName);
        Assert.Equal("1.20.1", self.Config.Version);
        Assert.True(self.Config.Server);
        Assert.Equal(8301, self.Member!.Port);
    }

    [Fact]
    public void CatalogService_NullServiceTagsReadAsEmpty()
    {
        var service = Assert.Single(JsonSerializer.Deserialize(ConsulJsonShapes.CatalogService, Context.ListCatalogService)!);

        Assert.Equal("web-1", service.ServiceID);
        Assert.Empty(service.ServiceTags);
        Assert.Equal(string.Empty, service.ServiceAddress);
        Assert.Equal("192.168.10.10", service.Address);
        Assert.Equal(8080, service.ServicePort);
    }

    [Fact]
    public void Registration_GoClientExample_ExactJson()
    {
        // docs/consul-http-api.md §15, minus "Checks":null (null members are omitted; Consul accepts both). Member order is
        // the model's (Header before Method); Consul's decoder does not care.
        var registration = new AgentServiceRegistration
        {
            ID = "web-1",
            Name = "web",
            Tags = ["v1"],
            Port = 8080,
            Address = "10.0.0.5",
            Meta = new Dictionary<string, string> { ["ver"] = "1" },
            Check = new AgentServiceCheck
            {
                CheckID = "web-1-http",
                Name = "web http",
                Interval = TimeSpan.FromSeconds(10),
                Timeout = TimeSpan.FromSeconds(2),
                HTTP = "http://10.0.0.5:8080/health",
                Method = "GET",
                Header = new Dictionary<string, IReadOnlyList<string>> { ["X-Probe"] = ["1"] },
                TLSSkipVerify = true,
                DeregisterCriticalServiceAfter = TimeSpan.FromMinutes(1),
            },
        };

        var json = JsonSerializer.Serialize(registration, Context.AgentServiceRegistration);

        Assert.Equal(
            """{"ID":"web-1","Name":"web","Tags":["v1"],"Port":8080,"Address":"10.0.0.5","Meta":{"ver":"1"},"Check":{"CheckID":"web-1-http","Name":"web http","Interval":"10s","Timeout":"2s","DeregisterCriticalServiceAfter":"1m0s","HTTP":"http://10.0.0.5:8080/health","Header":{"X-Probe":["1"]},"Method":"GET","TLSSkipVerify":true}}""",
            json);
    }

    [Fact]
    public void Registration_TtlCheckAndWeights_ExactJson()
    {
        var registration = new AgentServiceRegistration
        {
            Name = "worker",
            Weights = new ServiceWeights(10, 1),
            TaggedAddresses = new Dictionary<string, ServiceAddress> { ["lan"] = new("10.0.0.1", 80) },
            Checks = [new AgentServiceCheck { CheckID = "worker-ttl", TTL = TimeSpan.FromSeconds(90), Status = "passing" }],
        };

        Assert.Equal(
            """{"Name":"worker","TaggedAddresses":{"lan":{"Address":"10.0.0.1","Port":80}},"Weights":{"Passing":10,"Warning":1},"Checks":[{"CheckID":"worker-ttl","Status":"passing","TTL":"1m30s"}]}""",
            JsonSerializer.Serialize(registration, Context.AgentServiceRegistration));
    }

    [Fact]
    public void Registration_RoundTripsDurationsThroughGoStrings()
    {
        var check = new AgentServiceCheck { Interval = TimeSpan.FromMilliseconds(500), DeregisterCriticalServiceAfter = TimeSpan.FromHours(1) };

        var json = JsonSerializer.Serialize(check, Context.AgentServiceCheck);
        var read = JsonSerializer.Deserialize(json, Context.AgentServiceCheck)!;

        Assert.Equal("""{"Interval":"500ms","DeregisterCriticalServiceAfter":"1h0m0s"}""", json);
        Assert.Equal(check, read with { Header = null });
    }

    [Fact]
    public void Duration_NanosecondNumber_Reads()
    {
        var check = JsonSerializer.Deserialize("""{"Interval":10000000000,"Timeout":""}""", Context.AgentServiceCheck)!;

        Assert.Equal(TimeSpan.FromSeconds(10), check.Interval);
        Assert.Equal(TimeSpan.Zero, check.Timeout);
    }

    [Fact]
    public void Duration_Garbage_IsJsonException()
        => Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"Interval":"ten seconds"}""", Context.AgentServiceCheck));

    [Fact]
    public void TtlUpdate_ExactJson()
        => Assert.Equal("""{"Status":"passing","Output":"ok"}""", JsonSerializer.Serialize(new TtlUpdate("passing", "ok"), Context.TtlUpdate));
}
