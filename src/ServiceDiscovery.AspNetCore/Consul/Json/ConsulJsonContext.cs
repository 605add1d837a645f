// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Serialization;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul.Json;

/// <summary>
/// Source-generated (trimming/AOT safe) JSON metadata for every body the client sends or reads. Property names are
/// the C# names, which are Consul's PascalCase names; reads match case-insensitively as Go's decoder does, null
/// members are omitted on writes (Consul rejects unknown keys, never missing ones), and durations are Go strings.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true,
    Converters = [typeof(GoDurationJsonConverter)])]
[JsonSerializable(typeof(AgentServiceRegistration))]
[JsonSerializable(typeof(TtlUpdate))]
[JsonSerializable(typeof(AgentService))]
[JsonSerializable(typeof(Dictionary<string, AgentService>))]
[JsonSerializable(typeof(Dictionary<string, HealthCheck>))]
[JsonSerializable(typeof(AgentSelf))]
[JsonSerializable(typeof(List<ServiceEntry>))]
[JsonSerializable(typeof(List<HealthCheck>))]
[JsonSerializable(typeof(Dictionary<string, List<string>?>))]
[JsonSerializable(typeof(List<CatalogService>))]
[JsonSerializable(typeof(List<KVPair>))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(SessionCreateRequest))]
[JsonSerializable(typeof(SessionCreated))]
[JsonSerializable(typeof(List<SessionInfo>))]
[JsonSerializable(typeof(ConnectRoots))]
[JsonSerializable(typeof(ConnectLeafCertificate))]
[JsonSerializable(typeof(ConnectAuthorizeRequest))]
[JsonSerializable(typeof(ConnectAuthorizeResult))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
internal sealed partial class ConsulJsonContext : JsonSerializerContext;
