// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// One row of Consul's <c>gateway-services</c> table (structs.GatewayService): a gateway linked to a service by an
/// <c>ingress-gateway</c> listener or a <c>terminating-gateway</c> entry, with what the link carries.
/// </summary>
internal sealed record GatewayService
{
    public const string Wildcard = "*";

    public required string Gateway { get; init; }

    public required string Service { get; init; }

    /// <summary>Gets the gateway's kind: <c>ingress-gateway</c> or <c>terminating-gateway</c>.</summary>
    public required string GatewayKind { get; init; }

    /// <summary>Gets the ingress listener's port (0 for terminating gateways).</summary>
    public int Port { get; init; }

    /// <summary>Gets the ingress listener's protocol (empty for terminating gateways).</summary>
    public string Protocol { get; init; } = string.Empty;

    /// <summary>Gets the ingress service's hosts.</summary>
    public IReadOnlyList<string> Hosts { get; init; } = [];

    public string CaFile { get; init; } = string.Empty;

    public string CertFile { get; init; } = string.Empty;

    public string KeyFile { get; init; } = string.Empty;

    public string Sni { get; init; } = string.Empty;

    /// <summary>Gets a value indicating whether the row links a service only through the entry's wildcard <c>*</c>.</summary>
    public bool FromWildcard { get; init; }

    /// <summary>Gets <c>service</c> when a terminating gateway's service is in the catalog, else empty.</summary>
    public string ServiceKind { get; init; } = string.Empty;

    /// <summary>Gets the index at which the gateway entry's services last changed (rows of one version are rewritten together).</summary>
    public ulong EntryServicesIndex { get; init; }

    public ulong CreateIndex { get; init; }

    public ulong ModifyIndex { get; init; }

    /// <summary>Whether both rows say the same (structs.GatewayService <c>IsSame</c>), indexes aside.</summary>
    public bool IsSame(GatewayService other) =>
        Gateway == other.Gateway && Service == other.Service && GatewayKind == other.GatewayKind && Port == other.Port
        && Protocol == other.Protocol && Hosts.SequenceEqual(other.Hosts) && CaFile == other.CaFile && CertFile == other.CertFile
        && KeyFile == other.KeyFile && Sni == other.Sni && FromWildcard == other.FromWildcard && ServiceKind == other.ServiceKind;
}
