// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>An extra check Consul runs against the service besides its main one (<c>Consul:Check:AdditionalChecks:N</c>).</summary>
public sealed class ConsulAdditionalCheckOptions
{
    /// <summary>Gets or sets the check's name as Consul shows it.</summary>
    /// <value>The default is <c>{Kind} {Target}</c>.</value>
    public string? Name { get; set; }

    /// <summary>Gets or sets the kind of check.</summary>
    /// <value>The default is <see cref="ConsulCheckKind.Http"/>.</value>
    public ConsulCheckKind Kind { get; set; } = ConsulCheckKind.Http;

    /// <summary>
    /// Gets or sets what Consul checks: an absolute URL for <see cref="ConsulCheckKind.Http"/>,
    /// <c>host:port</c> for <see cref="ConsulCheckKind.Tcp"/>, <c>host:port[/service]</c> for
    /// <see cref="ConsulCheckKind.Grpc"/>.
    /// </summary>
    /// <value>The default is none; it is required.</value>
    public string? Target { get; set; }

    /// <summary>Gets or sets how often Consul runs the check.</summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long one run may take; at most <see cref="Interval"/>.</summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets a value indicating whether a gRPC check uses TLS.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool GrpcUseTls { get; set; }

    /// <summary>Gets or sets a value indicating whether Consul skips certificate verification (https and gRPC with TLS).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool TlsSkipVerify { get; set; }
}
