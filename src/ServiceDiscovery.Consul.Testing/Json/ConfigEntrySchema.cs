// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// The field names of Consul CE's configuration-entry structs (agent/structs/config_entry*.go) that the decoder of
/// <c>PUT /v1/config</c> matches keys against (see <see cref="ConfigEntryKeys"/>). One line per struct:
/// <c>Field[/alias,alias][:Type]</c>, where the alias is the snake-case spelling of the struct's <c>alias</c> tag and
/// the type names a nested struct (<c>Type</c>), a list of them (<c>[Type]</c>) or a map of them (<c>{Type}</c>). A
/// field without a type is a scalar, a list of scalars or a free-form map (<c>Meta</c>, <c>Config</c>, <c>Arguments</c>):
/// nothing below it is checked. Nested blocks not described here (the discovery-chain routes, splits, subsets and
/// failover of the router, splitter and resolver kinds; the mesh entry's <c>TLS</c>, <c>HTTP</c> and <c>Peering</c>;
/// proxy-defaults' <c>FailoverPolicy</c> and <c>PrioritizeByLocality</c>) are left unchecked, as are the kinds not listed
/// (the API-gateway kinds, certificates, routes and JWT providers). The embedded <c>RaftIndex</c> and the newer
/// <c>Hash</c> are fields too, so a client that sends an entry back as it read it is accepted.
/// </summary>
internal static class ConfigEntrySchema
{
    private static readonly Dictionary<string, string> Definitions = new(StringComparer.Ordinal)
    {
        ["service-defaults"] = "Kind Name Protocol Mode TransparentProxy/transparent_proxy:TransparentProxy MutualTLSMode/mutual_tls_mode "
            + "MeshGateway/mesh_gateway:MeshGateway Expose:Expose ExternalSNI/external_sni UpstreamConfig/upstream_config:UpstreamConfiguration "
            + "Destination:Destination MaxInboundConnections/max_inbound_connections LocalConnectTimeoutMs/local_connect_timeout_ms "
            + "LocalRequestTimeoutMs/local_request_timeout_ms BalanceInboundConnections/balance_inbound_connections "
            + "RateLimits/rate_limits:RateLimits EnvoyExtensions/envoy_extensions:[EnvoyExtension] Meta Hash RaftIndex",
        ["proxy-defaults"] = "Kind Name Config Protocol Mode TransparentProxy/transparent_proxy:TransparentProxy MutualTLSMode/mutual_tls_mode "
            + "MeshGateway/mesh_gateway:MeshGateway Expose:Expose AccessLogs/access_logs:AccessLogs EnvoyExtensions/envoy_extensions:[EnvoyExtension] "
            + "FailoverPolicy/failover_policy PrioritizeByLocality/prioritize_by_locality Meta Hash RaftIndex",
        ["service-router"] = "Kind Name Routes Meta Hash RaftIndex",
        ["service-splitter"] = "Kind Name Splits Meta Hash RaftIndex",
        ["service-resolver"] = "Kind Name DefaultSubset/default_subset Subsets Redirect Failover ConnectTimeout/connect_timeout "
            + "RequestTimeout/request_timeout LoadBalancer/load_balancer PrioritizeByLocality/prioritize_by_locality Meta Hash RaftIndex",
        ["ingress-gateway"] = "Kind Name TLS:GatewayTLS Listeners:[IngressListener] Meta Defaults:IngressServiceConfig Hash RaftIndex",
        ["terminating-gateway"] = "Kind Name Services:[LinkedService] Meta Hash RaftIndex",
        ["service-intentions"] = "Kind Name Sources:[SourceIntention] JWT:IntentionJWTRequirement Meta Hash RaftIndex",
        ["mesh"] = "TransparentProxy/transparent_proxy:TransparentProxyMesh AllowEnablingPermissiveMutualTLS/allow_enabling_permissive_mutual_tls "
            + "ValidateClusters/validate_clusters TLS HTTP Peering Meta Hash RaftIndex",
        ["exported-services"] = "Name Services:[ExportedService] Meta Hash RaftIndex",
        ["sameness-group"] = "Name DefaultForFailover/default_for_failover IncludeLocal/include_local Members:[SamenessGroupMember] Meta Hash RaftIndex",

        ["TransparentProxy"] = "OutboundListenerPort/outbound_listener_port DialedDirectly/dialed_directly",
        ["MeshGateway"] = "Mode",
        ["Expose"] = "Checks Paths:[ExposePath]",
        ["ExposePath"] = "ListenerPort/listener_port Path LocalPathPort/local_path_port Protocol ParsedFromCheck",
        ["UpstreamConfiguration"] = "Overrides:[UpstreamConfig] Defaults:UpstreamConfig",
        ["UpstreamConfig"] = "Name Peer EnvoyListenerJSON/envoy_listener_json EnvoyClusterJSON/envoy_cluster_json Protocol "
            + "ConnectTimeoutMs/connect_timeout_ms Limits:UpstreamLimits PassiveHealthCheck/passive_health_check:PassiveHealthCheck "
            + "MeshGateway/mesh_gateway:MeshGateway BalanceOutboundConnections/balance_outbound_connections",
        ["UpstreamLimits"] = "MaxConnections/max_connections MaxPendingRequests/max_pending_requests MaxConcurrentRequests/max_concurrent_requests",
        ["PassiveHealthCheck"] = "Interval MaxFailures/max_failures EnforcingConsecutive5xx/enforcing_consecutive_5xx "
            + "MaxEjectionPercent/max_ejection_percent BaseEjectionTime/base_ejection_time",
        ["Destination"] = "Addresses Port",
        ["RateLimits"] = "InstanceLevel/instance_level:InstanceLevelRateLimits",
        ["InstanceLevelRateLimits"] = "RequestsPerSecond/requests_per_second RequestsMaxBurst/requests_max_burst Routes:[InstanceLevelRouteRateLimits]",
        ["InstanceLevelRouteRateLimits"] = "PathExact/path_exact PathPrefix/path_prefix PathRegex/path_regex "
            + "RequestsPerSecond/requests_per_second RequestsMaxBurst/requests_max_burst",
        ["EnvoyExtension"] = "Name Required Arguments ConsulVersion/consul_version EnvoyVersion/envoy_version",
        ["AccessLogs"] = "Enabled DisableListenerLogs/disable_listener_logs Type Path JSONFormat/json_format TextFormat/text_format",
        ["GatewayTLS"] = "Enabled SDS:GatewayTLSSDS TLSMinVersion/tls_min_version TLSMaxVersion/tls_max_version CipherSuites/cipher_suites",
        ["GatewayTLSSDS"] = "ClusterName/cluster_name CertResource/cert_resource",
        ["GatewayServiceTLS"] = "SDS:GatewayTLSSDS",
        ["IngressListener"] = "Port Protocol TLS:GatewayTLS Services:[IngressService]",
        ["IngressService"] = "Name Hosts TLS:GatewayServiceTLS RequestHeaders/request_headers:HTTPHeaderModifiers "
            + "ResponseHeaders/response_headers:HTTPHeaderModifiers MaxConnections/max_connections MaxPendingRequests/max_pending_requests "
            + "MaxConcurrentRequests/max_concurrent_requests PassiveHealthCheck/passive_health_check:PassiveHealthCheck Meta",
        ["IngressServiceConfig"] = "MaxConnections/max_connections MaxPendingRequests/max_pending_requests "
            + "MaxConcurrentRequests/max_concurrent_requests PassiveHealthCheck/passive_health_check:PassiveHealthCheck",
        ["HTTPHeaderModifiers"] = "Add Set Remove",
        ["LinkedService"] = "Name CAFile/ca_file CertFile/cert_file KeyFile/key_file SNI DisableAutoHostRewrite/disable_auto_host_rewrite",
        ["SourceIntention"] = "Name Peer SamenessGroup/sameness_group Action Permissions:[IntentionPermission] Precedence LegacyID/legacy_id Type "
            + "Description LegacyMeta/legacy_meta LegacyCreateTime/legacy_create_time LegacyUpdateTime/legacy_update_time",
        ["IntentionPermission"] = "Action HTTP:IntentionHTTPPermission JWT:IntentionJWTRequirement",
        ["IntentionHTTPPermission"] = "PathExact/path_exact PathPrefix/path_prefix PathRegex/path_regex Header:[IntentionHTTPHeaderPermission] Methods",
        ["IntentionHTTPHeaderPermission"] = "Name Present Exact Prefix Suffix Contains Regex Invert IgnoreCase/ignore_case",
        ["IntentionJWTRequirement"] = "Providers:[IntentionJWTProvider]",
        ["IntentionJWTProvider"] = "Name VerifyClaims/verify_claims:[IntentionJWTClaimVerification]",
        ["IntentionJWTClaimVerification"] = "Path Value",
        ["TransparentProxyMesh"] = "MeshDestinationsOnly/mesh_destinations_only",
        ["ExportedService"] = "Name Namespace Consumers:[ServiceConsumer]",
        ["ServiceConsumer"] = "Partition Peer SamenessGroup/sameness_group",
        ["SamenessGroupMember"] = "Partition Peer",
    };

    private static readonly Dictionary<string, ConfigStruct> Parsed = Definitions.ToDictionary(d => d.Key, d => Parse(d.Value), StringComparer.Ordinal);

    /// <summary>How a field's value is decoded.</summary>
    public enum Shape
    {
        /// <summary>A scalar, a list of scalars or a free-form map: not descended into.</summary>
        Opaque,

        /// <summary>One nested struct.</summary>
        Struct,

        /// <summary>A list of nested structs.</summary>
        StructList,

        /// <summary>A map of string to nested struct.</summary>
        StructMap,
    }

    /// <summary>Gets the struct a kind's entry decodes into; false for the kinds whose keys are not checked.</summary>
    public static bool TryGetKind(string kind, out ConfigStruct root) => Parsed.TryGetValue(kind, out root!) && !char.IsUpper(kind[0]);

    /// <summary>Gets a nested struct by its name in this table.</summary>
    public static ConfigStruct Struct(string name) => Parsed[name];

    private static ConfigStruct Parse(string definition)
    {
        var fields = new List<ConfigField>();
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in definition.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var (head, type) = token.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? (token[..colon], token[(colon + 1)..]) : (token, string.Empty);
            var names = head.Split('/');
            foreach (var alias in names.Length > 1 ? names[1].Split(',') : [])
            {
                aliases[alias.ToLowerInvariant()] = names[0];
            }

            fields.Add(type switch
            {
                "" => new ConfigField(names[0], Shape.Opaque, string.Empty),
                ['[', .. var inner, ']'] => new ConfigField(names[0], Shape.StructList, inner),
                ['{', .. var inner, '}'] => new ConfigField(names[0], Shape.StructMap, inner),
                _ => new ConfigField(names[0], Shape.Struct, type),
            });
        }

        return new ConfigStruct(fields, aliases);
    }
}

/// <summary>One struct: its fields in declaration order and its aliases (lower-case alias to field name).</summary>
internal sealed record ConfigStruct(IReadOnlyList<ConfigField> Fields, IReadOnlyDictionary<string, string> Aliases);

/// <summary>One field: its Go name, how its value decodes, and the nested struct's name.</summary>
internal sealed record ConfigField(string Name, ConfigEntrySchema.Shape Shape, string StructName);
