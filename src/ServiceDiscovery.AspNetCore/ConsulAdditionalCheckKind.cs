// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>The kind of an extra check Consul runs against the service (<c>Consul:HealthCheck:AdditionalChecks:N:Kind</c>).</summary>
public enum ConsulAdditionalCheckKind
{
    /// <summary>An HTTP GET to <see cref="ConsulAdditionalCheckOptions.Target"/>, an absolute URL: 2xx passing, 429 warning, else critical.</summary>
    Http,

    /// <summary>A TCP connect to <see cref="ConsulAdditionalCheckOptions.Target"/>, <c>host:port</c>.</summary>
    Tcp,

    /// <summary>The gRPC health protocol against <see cref="ConsulAdditionalCheckOptions.Target"/>, <c>host:port</c> or <c>host:port/service</c>.</summary>
    Grpc,
}
