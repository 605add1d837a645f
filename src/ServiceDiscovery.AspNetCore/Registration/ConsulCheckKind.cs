// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// A kind of health check. The app's own check (<c>Consul:Check:Kind</c>) is <see cref="Http"/>, <see cref="Grpc"/>,
/// <see cref="Ttl"/> or <see cref="None"/>; an extra check (<c>Consul:Check:AdditionalChecks:N:Kind</c>) is <see cref="Http"/>,
/// <see cref="Tcp"/> or <see cref="Grpc"/>.
/// </summary>
public enum ConsulCheckKind
{
    /// <summary>
    /// Consul sends HTTP GETs: to the app's health endpoint at the registered address for the app's own check, or to
    /// <see cref="ConsulAdditionalCheckOptions.Target"/> (an absolute URL) for an extra check. 2xx passing, 429 warning, else critical.
    /// </summary>
    Http,

    /// <summary>
    /// The app reports its health to Consul (TTL check) every third of <see cref="ConsulCheckOptions.Ttl"/>:
    /// for apps Consul cannot reach. The app's own check only.
    /// </summary>
    Ttl,

    /// <summary>No check: the instance always counts as passing. Only for tests and special cases. The app's own check only.</summary>
    None,

    /// <summary>An extra check: a TCP connect to <see cref="ConsulAdditionalCheckOptions.Target"/>, <c>host:port</c>.</summary>
    Tcp,

    /// <summary>
    /// The gRPC health protocol (<c>grpc.health.v1.Health/Check</c>; SERVING is passing, anything else critical). For
    /// the app's own check, against the registered address (TLS when it is https) and
    /// <see cref="ConsulCheckOptions.GrpcService"/>; the <c>scheme</c> meta then says <c>h2c</c> for a plaintext endpoint.
    /// For an extra check, against <see cref="ConsulAdditionalCheckOptions.Target"/>, <c>host:port</c> or <c>host:port/service</c>.
    /// </summary>
    Grpc,
}
