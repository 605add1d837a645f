// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>Strict readers for the catalog write bodies (<c>structs.RegisterRequest</c>, <c>structs.DeregisterRequest</c>).</summary>
internal static class CatalogRequestReaders
{
    private static readonly Dictionary<string, string> RegisterFields = StrictObject.Fields(
        ["Datacenter"], ["ID"], ["Node"], ["Address"], ["TaggedAddresses"], ["NodeMeta"], ["Service"], ["Check"], ["Checks"],
        ["SkipNodeUpdate"], ["PeerName"], ["Locality"], ["Token"], ["CreateIndex"], ["ModifyIndex"]);

    private static readonly Dictionary<string, string> NodeServiceFields = StrictObject.Fields(
        ["Kind"], ["ID"], ["Service"], ["Tags"], ["Address"], ["TaggedAddresses"], ["Meta"], ["Port"], ["SocketPath"], ["Weights"],
        ["EnableTagOverride"], ["Proxy"], ["Connect"], ["PeerName"], ["LocallyRegisteredAsSidecar"], ["Locality"],
        ["CreateIndex"], ["ModifyIndex"]);

    private static readonly Dictionary<string, string> HealthCheckFields = StrictObject.Fields(
        ["Node"], ["CheckID"], ["Name"], ["Status"], ["Notes"], ["Output"], ["ServiceID"], ["ServiceName"], ["ServiceTags"], ["Type"],
        ["Interval"], ["Timeout"], ["ExposedPort"], ["PeerName"], ["Definition"], ["CreateIndex"], ["ModifyIndex"]);

    private static readonly Dictionary<string, string> DefinitionFields = StrictObject.Fields(
        ["HTTP"], ["TLSServerName"], ["TLSSkipVerify"], ["Header"], ["Method"], ["Body"], ["DisableRedirects"], ["TCP"], ["TCPUseTLS"],
        ["UDP"], ["H2PING"], ["H2PingUseTLS"], ["OSService"], ["Interval"], ["OutputMaxSize"], ["Timeout"],
        ["DeregisterCriticalServiceAfter"], ["ScriptArgs"], ["DockerContainerID"], ["Shell"], ["GRPC"], ["GRPCUseTLS"],
        ["AliasNode"], ["AliasService"], ["TTL"]);

    private static readonly Dictionary<string, string> ConnectFields = StrictObject.Fields(["Native"], ["SidecarService"], ["PeerMeta"]);

    // DeregisterRequest.UnmarshalJSON names the obsolete Address explicitly so the Go client's deregistration (which
    // still sends it) decodes; it is read and dropped.
    private static readonly Dictionary<string, string> DeregisterFields = StrictObject.Fields(
        ["Datacenter"], ["Node"], ["ServiceID"], ["CheckID"], ["PeerName"], ["Token"], ["Address"]);


    public static CatalogRegistration ReadRegister(ReadOnlyMemory<byte> body)
    {
        using var document = JsonBody.Parse(body);
        var o = StrictObject.Read(document.RootElement, "RegisterRequest", RegisterFields);
        var checks = new List<CatalogCheck>();
        if (o.Raw("Check") is { } single)
        {
            checks.Add(ReadCheck(single));
        }

        if (o.Raw("Checks") is { } list)
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw o.Mismatch(list, "Checks", "structs.HealthChecks");
            }

            checks.AddRange(list.EnumerateArray().Where(e => e.ValueKind != JsonValueKind.Null).Select(ReadCheck));
        }

        // Consul appends the old single Check after the list.
        if (o.Raw("Check") is not null && checks.Count > 1)
        {
            checks.Add(checks[0]);
            checks.RemoveAt(0);
        }

        return new CatalogRegistration
        {
            Datacenter = o.GetString("Datacenter"),
            Id = o.GetString("ID"),
            Node = o.GetString("Node"),
            Address = o.GetString("Address"),
            TaggedAddresses = o.Has("TaggedAddresses") ? o.GetStringMap("TaggedAddresses") : null,
            NodeMeta = o.Has("NodeMeta") ? o.GetStringMap("NodeMeta") : null,
            Service = o.Raw("Service") is { } s ? ReadService(s) : null,
            Checks = checks,
            SkipNodeUpdate = o.GetBool("SkipNodeUpdate"),
        };
    }

    public static CatalogDeregistration ReadDeregister(ReadOnlyMemory<byte> body)
    {
        using var document = JsonBody.Parse(body);
        var o = StrictObject.Read(document.RootElement, "DeregisterRequest", DeregisterFields);
        return new CatalogDeregistration(o.GetString("Node"), o.GetString("ServiceID"), o.GetString("CheckID"), o.GetString("Datacenter"));
    }

    /// <summary>Reads a <c>structs.NodeService</c> (the <c>Service</c> of a registration; the rows of a snapshot's catalog).</summary>
    public static ServiceDefinition ReadService(JsonElement element)
    {
        var o = StrictObject.Read(element, "NodeService", NodeServiceFields);
        return new ServiceDefinition
        {
            Kind = o.GetString("Kind"),
            Id = o.GetString("ID"),
            Name = o.GetString("Service"),
            Tags = o.GetStringList("Tags"),
            Address = o.GetString("Address"),
            TaggedAddresses = RequestReaders.ReadServiceTaggedAddresses(o),
            Meta = o.GetStringMap("Meta"),
            Port = o.GetInt("Port"),
            SocketPath = o.GetString("SocketPath"),
            Weights = RequestReaders.ReadWeights(o),
            EnableTagOverride = o.GetBool("EnableTagOverride"),
            Locality = ServiceLocality.Read(o),
            Proxy = o.Raw("Proxy") is { } proxy ? ProxyConfig.Read(proxy) : null,
            // ServiceConnect.UnmarshalJSON uses a plain json.Unmarshal: unknown keys inside Connect are ignored.
            ConnectNative = o.Raw("Connect") is { } connect && StrictObject.ReadLenient(connect, "ServiceConnect", ConnectFields).GetBool("Native"),
        };
    }

    private static CatalogCheck ReadCheck(JsonElement element)
    {
        var o = StrictObject.Read(element, "HealthCheck", HealthCheckFields);
        var definition = new CheckDefinition();
        if (o.Raw("Definition") is { } d)
        {
            // HealthCheckDefinition.UnmarshalJSON uses a plain json.Unmarshal: unknown keys inside Definition are ignored.
            var od = StrictObject.ReadLenient(d, "HealthCheckDefinition", DefinitionFields);
            definition = new CheckDefinition
            {
                Http = od.GetString("HTTP"),
                Tcp = od.GetString("TCP"),
                Udp = od.GetString("UDP"),
                Grpc = od.GetString("GRPC"),
                H2Ping = od.GetString("H2PING"),
                OsService = od.GetString("OSService"),
                ScriptArgs = od.GetStringList("ScriptArgs"),
                DockerContainerId = od.GetString("DockerContainerID"),
                AliasNode = od.GetString("AliasNode"),
                AliasService = od.GetString("AliasService"),
                Interval = od.GetDuration("Interval"),
                Timeout = od.GetDuration("Timeout"),
                Ttl = od.GetDuration("TTL"),
            };
        }

        return new CatalogCheck
        {
            Node = o.GetString("Node"),
            CheckId = o.GetString("CheckID"),
            Name = o.GetString("Name"),
            Status = o.GetString("Status"),
            Notes = o.GetString("Notes"),
            Output = o.GetString("Output"),
            ServiceId = o.GetString("ServiceID"),
            Type = o.GetString("Type"),
            Interval = o.GetString("Interval"),
            Timeout = o.GetString("Timeout"),
            Definition = definition,
        };
    }
}
