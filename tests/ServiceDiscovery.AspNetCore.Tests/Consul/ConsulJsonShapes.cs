// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

/// <summary>Response bodies as docs/consul-http-api.md documents them (copied, not produced by our serializer).</summary>
internal static class ConsulJsonShapes
{
    /// <summary>§15: <c>GET /v1/agent/services</c> after registering web-1.</summary>
    public const string AgentServices = """
        {"web-1":{"ID":"web-1","Service":"web","Tags":["v1"],"Meta":{"ver":"1"},"Port":8080,"Address":"10.0.0.5",
          "TaggedAddresses":{"lan_ipv4":{"Address":"10.0.0.5","Port":8080},"wan_ipv4":{"Address":"10.0.0.5","Port":8080}},
          "Weights":{"Passing":1,"Warning":1},"EnableTagOverride":false,"Datacenter":"dc1"}}
        """;

    /// <summary>§15: <c>GET /v1/agent/checks</c> before the first probe.</summary>
    public const string AgentChecks = """
        {"web-1-http":{"Node":"node1","CheckID":"web-1-http","Name":"web http","Status":"critical","Notes":"","Output":"",
          "ServiceID":"web-1","ServiceName":"web","ServiceTags":["v1"],"Type":"http","Interval":"10s","Timeout":"2s",
          "ExposedPort":0,"Definition":{},"CreateIndex":0,"ModifyIndex":0}}
        """;

    /// <summary>§6: a real CE <c>/v1/health/service</c> entry: no Port (0 is omitted), null Meta, Proxy/Connect/PeerName, serfHealth.</summary>
    public const string HealthServiceReal = """
        [{"Node":{"ID":"40e4a748-2192-161a-0510-9bf59fe950b5","Node":"node1","Address":"10.1.10.12","Datacenter":"dc1",
           "TaggedAddresses":{"lan":"10.1.10.12","lan_ipv4":"10.1.10.12","wan":"10.1.10.12","wan_ipv4":"10.1.10.12"},
           "Meta":{"consul-network-segment":""},"CreateIndex":13,"ModifyIndex":14},
          "Service":{"ID":"worker-1","Service":"worker","Tags":[],"Address":"","Meta":null,
           "Weights":{"Passing":1,"Warning":1},"EnableTagOverride":false,
           "Proxy":{"Mode":"","MeshGateway":{},"Expose":{}},"Connect":{},"PeerName":"","CreateIndex":20,"ModifyIndex":20},
          "Checks":[{"Node":"node1","CheckID":"serfHealth","Name":"Serf Health Status","Status":"passing","Notes":"",
             "Output":"Agent alive and reachable","ServiceID":"","ServiceName":"","ServiceTags":[],"Type":"","Interval":"",
             "Timeout":"","ExposedPort":0,"Definition":{},"CreateIndex":13,"ModifyIndex":13},
            {"Node":"node1","CheckID":"service:worker-1","Name":"Service 'worker' check","Status":"warning","Notes":"",
             "Output":"TTL expired","ServiceID":"worker-1","ServiceName":"worker","ServiceTags":[],"Type":"ttl","Interval":"",
             "Timeout":"","ExposedPort":0,"Definition":{},"CreateIndex":20,"ModifyIndex":25}]}]
        """;

    /// <summary>§6: the docs sample (health.mdx), with its lowercase tagged-address keys and Enterprise Namespace.</summary>
    public const string HealthServiceDocsSample = """
        [{"Node":{"ID":"40e4a748-2192-161a-0510-9bf59fe950b5","Node":"foobar","Address":"10.1.10.12","Datacenter":"dc1",
           "TaggedAddresses":{"lan":"10.1.10.12","wan":"10.1.10.12"},"Meta":{"instance_type":"t2.medium"}},
          "Service":{"ID":"redis","Service":"redis","Tags":["primary"],"Address":"10.1.10.12",
           "TaggedAddresses":{"lan":{"address":"10.1.10.12","port":8000},"wan":{"address":"198.18.1.2","port":80}},
           "Meta":{"redis_version":"4.0"},"Port":8000,"Weights":{"Passing":10,"Warning":1},"Namespace":"default"},
          "Checks":[{"Node":"foobar","CheckID":"service:redis","Name":"Service 'redis' check","Status":"passing","Notes":"",
            "Output":"","ServiceID":"redis","ServiceName":"redis","ServiceTags":["primary"],"Namespace":"default"},
           {"Node":"foobar","CheckID":"serfHealth","Name":"Serf Health Status","Status":"passing","Notes":"","Output":"",
            "ServiceID":"","ServiceName":"","ServiceTags":[],"Namespace":"default"}]}]
        """;

    /// <summary>§11: KV with a base64 value, and a key whose value is null.</summary>
    public const string KvRecurse = """
        [{"LockIndex":0,"Key":"config/app/name","Flags":42,"Value":"b3JkZXJz","CreateIndex":100,"ModifyIndex":200},
         {"LockIndex":1,"Key":"config/app/empty","Flags":0,"Value":null,"Session":"adf4238a-882b-9ddc-4a9d-5b6758e4159e","CreateIndex":101,"ModifyIndex":101}]
        """;

    /// <summary>§13: <c>/v1/agent/self</c>, abridged DebugConfig/Stats but with every top-level member.</summary>
    public const string AgentSelf = """
        {"Config":{"Datacenter":"dc1","PrimaryDatacenter":"dc1","NodeName":"node1","NodeID":"9d754d17-d864-b1d3-e758-f3fe25a9874f",
           "Revision":"1c82ab3a","Server":true,"Version":"1.20.1","BuildDate":"2024-10-29T19:04:05Z"},
         "DebugConfig":{"Bootstrap":false,"Ports":{"HTTP":8500}},"Coord":null,
         "Member":{"Name":"node1","Addr":"127.0.0.1","Port":8301,"Tags":{"role":"consul"},"Status":1,
           "ProtocolMin":1,"ProtocolMax":5,"ProtocolCur":2,"DelegateMin":2,"DelegateMax":5,"DelegateCur":4},
         "Stats":{"agent":{"checks":"0"}},"Meta":{"consul-network-segment":""},"xDS":{"SupportedProxies":{}}}
        """;

    /// <summary>§7: <c>/v1/catalog/service/{name}</c> element.</summary>
    public const string CatalogService = """
        [{"ID":"40e4a748-2192-161a-0510-9bf59fe950b5","Node":"node1","Address":"192.168.10.10","Datacenter":"dc1",
          "TaggedAddresses":{"lan":"192.168.10.10","wan":"10.0.10.10"},"NodeMeta":{"somekey":"somevalue"},"ServiceKind":"",
          "ServiceID":"web-1","ServiceName":"web","ServiceTags":null,"ServiceAddress":"","ServiceTaggedAddresses":null,
          "ServiceWeights":{"Passing":1,"Warning":1},"ServiceMeta":{},"ServicePort":8080,"ServiceSocketPath":"",
          "ServiceEnableTagOverride":false,"ServiceProxy":{"Mode":"","MeshGateway":{},"Expose":{}},"ServiceConnect":{},
          "PeerName":"","CreateIndex":51,"ModifyIndex":51}]
        """;
}
