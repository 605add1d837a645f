// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>Strict readers for each request body the agent accepts, one field list per Consul struct.</summary>
internal static class RequestReaders
{
    private static readonly Dictionary<string, string> ServiceFields = StrictObject.Fields(
        ["Kind"], ["ID"], ["Name"], ["Tags"], ["Address"], ["TaggedAddresses", "tagged_addresses"], ["Meta"], ["Port"],
        ["SocketPath"], ["Weights"], ["Token"], ["EnableTagOverride", "enable_tag_override"], ["Check"], ["Checks"],
        ["Proxy"], ["Connect"], ["LocallyRegisteredAsSidecar"], ["Locality"]);

    private static readonly string[][] CheckTypeGroups =
    [
        ["CheckID"], ["Name"], ["Notes"], ["Status"], ["ServiceID", "service_id"], ["ScriptArgs", "args", "script_args"], ["Interval"],
        ["Timeout"], ["TTL"], ["DeregisterCriticalServiceAfter", "deregister_critical_service_after"], ["HTTP"], ["Header"],
        ["Method"], ["Body"], ["DisableRedirects", "disable_redirects"], ["TCP"], ["TCPUseTLS"], ["UDP"], ["GRPC"],
        ["GRPCUseTLS", "grpc_use_tls"], ["H2PING"], ["H2PingUseTLS", "h2ping_use_tls"], ["OSService"],
        ["TLSServerName", "tls_server_name"], ["TLSSkipVerify", "tls_skip_verify"], ["DockerContainerID", "docker_container_id"],
        ["Shell"], ["AliasNode"], ["AliasService"], ["SuccessBeforePassing"], ["FailuresBeforeWarning"],
        ["FailuresBeforeCritical"], ["OutputMaxSize"], ["ProxyHTTP"], ["ProxyGRPC"],
    ];

    private static readonly Dictionary<string, string> CheckTypeFields = StrictObject.Fields(CheckTypeGroups);

    // /v1/agent/check/register takes structs.CheckDefinition: the same fields with ID instead of CheckID.
    private static readonly Dictionary<string, string> CheckDefinitionFields = StrictObject.Fields(
        [.. CheckTypeGroups.Where(g => g[0] != "CheckID"), ["ID"], ["Token"]]);

    private static readonly Dictionary<string, string> CheckUpdateFields = StrictObject.Fields(["Status"], ["Output"]);
    private static readonly Dictionary<string, string> WeightsFields = StrictObject.Fields(["Passing"], ["Warning"]);
    private static readonly Dictionary<string, string> ServiceAddressFields = StrictObject.Fields(["Address"], ["Port"]);

    private static readonly Dictionary<string, string> ConnectFields = StrictObject.Fields(
        ["Native"], ["SidecarService", "sidecar_service"]);

    public static ServiceDefinition ReadService(ReadOnlyMemory<byte> body)
    {
        using var document = JsonBody.Parse(body);
        return ReadService(document.RootElement);
    }

    private static ServiceDefinition ReadService(JsonElement element)
    {
        var o = StrictObject.Read(element, "ServiceDefinition", ServiceFields);
        // ServiceConnect.UnmarshalJSON uses a plain json.Unmarshal (unknown keys ignored); its SidecarService is a
        // ServiceDefinition again, strict.
        StrictObject? connect = o.Raw("Connect") is { } c ? StrictObject.ReadLenient(c, "ServiceConnect", ConnectFields) : null;
        CheckDefinition? check = null;
        if (o.Raw("Check") is { } checkElement)
        {
            check = ReadCheck(checkElement, CheckTypeFields, "CheckType");
        }

        var checks = new List<CheckDefinition>();
        if (o.Raw("Checks") is { } checksElement)
        {
            if (checksElement.ValueKind != JsonValueKind.Array)
            {
                throw o.Mismatch(checksElement, "Checks", "structs.CheckTypes");
            }

            foreach (var item in checksElement.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Null)
                {
                    checks.Add(ReadCheck(item, CheckTypeFields, "CheckType"));
                }
            }
        }

        var (weights, tagged) = (ReadWeights(o), ReadServiceTaggedAddresses(o));
        return new ServiceDefinition
        {
            Kind = o.GetString("Kind"),
            Id = o.GetString("ID"),
            Name = o.GetString("Name"),
            Tags = o.GetStringList("Tags"),
            Address = o.GetString("Address"),
            TaggedAddresses = tagged,
            Meta = o.GetStringMap("Meta"),
            Port = o.GetInt("Port"),
            SocketPath = o.GetString("SocketPath"),
            Weights = weights,
            EnableTagOverride = o.GetBool("EnableTagOverride"),
            Locality = ServiceLocality.Read(o),
            Check = check,
            Checks = checks,
            Proxy = o.Raw("Proxy") is { } proxy ? ProxyConfig.Read(proxy) : null,
            ConnectNative = connect?.GetBool("Native") ?? false,
            SidecarService = connect?.Raw("SidecarService") is { } sidecar ? ReadService(sidecar) : null,
        };
    }

    /// <summary>A service's <c>Weights</c>, or null when absent.</summary>
    internal static (int Passing, int Warning)? ReadWeights(StrictObject o)
    {
        if (o.Raw("Weights") is not { } w)
        {
            return null;
        }

        var wo = StrictObject.Read(w, "Weights", WeightsFields);
        return (wo.GetInt("Passing"), wo.GetInt("Warning"));
    }

    /// <summary>A service's <c>TaggedAddresses</c> (<c>map[string]structs.ServiceAddress</c>).</summary>
    internal static Dictionary<string, (string Address, int Port)> ReadServiceTaggedAddresses(StrictObject o)
    {
        var tagged = new Dictionary<string, (string, int)>(StringComparer.Ordinal);
        if (o.Raw("TaggedAddresses") is not { } t)
        {
            return tagged;
        }

        if (t.ValueKind != JsonValueKind.Object)
        {
            throw o.Mismatch(t, "TaggedAddresses", "map[string]structs.ServiceAddress");
        }

        foreach (var p in t.EnumerateObject())
        {
            var a = StrictObject.Read(p.Value, "ServiceAddress", ServiceAddressFields);
            tagged[p.Name] = (a.GetString("Address"), a.GetInt("Port"));
        }

        return tagged;
    }

    public static CheckDefinition ReadStandaloneCheck(ReadOnlyMemory<byte> body)
    {
        using var document = JsonBody.Parse(body);
        return ReadCheck(document.RootElement, CheckDefinitionFields, "CheckDefinition");
    }

    public static (string Status, string Output) ReadCheckUpdate(ReadOnlyMemory<byte> body)
    {
        using var document = JsonBody.Parse(body);
        var o = StrictObject.Read(document.RootElement, "checkUpdate", CheckUpdateFields);
        return (o.GetString("Status"), o.GetString("Output"));
    }

    private static CheckDefinition ReadCheck(JsonElement element, Dictionary<string, string> fields, string structName)
    {
        var o = StrictObject.Read(element, structName, fields);
        // Consul ignores a Check equal to the zero CheckType, e.g. {"Name":""} or {}.
        var isEmpty = element.EnumerateObject().All(p => IsZero(p.Value));
        return new CheckDefinition
        {
            CheckId = fields.ContainsKey("ID") ? o.GetString("ID") : o.GetString("CheckID"),
            Name = o.GetString("Name"),
            Notes = o.GetString("Notes"),
            Status = o.GetString("Status"),
            ServiceId = o.GetString("ServiceID"),
            ScriptArgs = o.GetStringList("ScriptArgs"),
            Interval = o.GetDuration("Interval"),
            Timeout = o.GetDuration("Timeout"),
            Ttl = o.GetDuration("TTL"),
            DeregisterCriticalServiceAfter = o.GetDuration("DeregisterCriticalServiceAfter"),
            Http = o.GetString("HTTP"),
            Header = o.GetHeaderMap("Header"),
            Method = o.GetString("Method"),
            Body = o.GetString("Body"),
            DisableRedirects = o.GetBool("DisableRedirects"),
            TlsSkipVerify = o.GetBool("TLSSkipVerify"),
            TlsServerName = o.GetString("TLSServerName"),
            Tcp = o.GetString("TCP"),
            Udp = o.GetString("UDP"),
            Grpc = o.GetString("GRPC"),
            GrpcUseTls = o.GetBool("GRPCUseTLS"),
            H2Ping = o.GetString("H2PING"),
            OsService = o.GetString("OSService"),
            DockerContainerId = o.GetString("DockerContainerID"),
            AliasNode = o.GetString("AliasNode"),
            AliasService = o.GetString("AliasService"),
            SuccessBeforePassing = o.GetInt("SuccessBeforePassing"),
            FailuresBeforeWarning = o.GetInt("FailuresBeforeWarning"),
            FailuresBeforeCritical = o.GetInt("FailuresBeforeCritical"),
            OutputMaxSize = o.GetInt("OutputMaxSize"),
            IsEmpty = isEmpty,
        };
    }

    private static bool IsZero(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.False => true,
        JsonValueKind.String => value.GetString()!.Length == 0,
        JsonValueKind.Number => value.GetDouble() == 0,
        // Go's reflect.DeepEqual tells an empty slice or map from nil, so [] and {} count as set.
        _ => false,
    };
}
