// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// How Consul checks this app (<c>Consul:Check</c>) and the <c>/health</c> endpoint it calls, which runs the
/// app's ASP.NET Core health checks: Healthy answers 200 (passing), Degraded 429 (warning), Unhealthy 503 (critical).
/// With <see cref="ConsulCheckKind.Grpc"/>, Consul calls the app's <c>grpc.health.v1.Health</c> service instead.
/// </summary>
public sealed class ConsulCheckOptions
{
    /// <summary>Gets or sets how Consul learns this app's health.</summary>
    /// <value>The default is <see cref="ConsulCheckKind.Http"/>.</value>
    public ConsulCheckKind Kind { get; set; } = ConsulCheckKind.Http;

    /// <summary>Gets or sets the path of the health endpoint; it must start with <c>/</c>.</summary>
    /// <value>The default is <c>/health</c>.</value>
    public string Path { get; set; } = "/health";

    /// <summary>
    /// Gets or sets a value indicating whether the health endpoint is served without the app mapping it. Turn it off to
    /// map it yourself with <c>app.MapConsulHealthChecks()</c> (then it runs inside your routing, authorization and
    /// host filtering); calling <c>MapConsulHealthChecks()</c> turns the automatic endpoint off too.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool MapEndpoint { get; set; } = true;

    /// <summary>
    /// Gets or sets the gRPC service whose health a <see cref="ConsulCheckKind.Grpc"/> check asks for
    /// (<c>grpc.health.v1.Health/Check</c> with this <c>service</c>), e.g. <c>catalog.v1.Catalog</c>; empty asks for the
    /// whole server's health.
    /// </summary>
    /// <value>The default is <see langword="null"/> (the whole server).</value>
    public string? GrpcService { get; set; }

    /// <summary>Gets or sets how often Consul calls the health endpoint (HTTP or gRPC check). Consul's minimum is 1 second.</summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets how long Consul waits for the health endpoint (HTTP or gRPC check) to answer; at most <see cref="Interval"/>.</summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets the TTL of a <see cref="ConsulCheckKind.Ttl"/> check: the app reports its health every third of it,
    /// and Consul marks the check critical when no report arrives within it. At least 1 second.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long the check may stay critical before Consul removes the service (an instance that died
    /// without deregistering). Consul raises values below 1 minute to 1 minute; <see cref="TimeSpan.Zero"/> never removes it.
    /// </summary>
    /// <value>The default is 1 minute.</value>
    public TimeSpan DeregisterCriticalServiceAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets a value indicating whether Consul skips certificate verification when it calls an https health endpoint (development certificates).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool TlsSkipVerify { get; set; }

    /// <summary>Gets extra checks Consul runs against the service (TCP, gRPC, HTTP to another URL).</summary>
    /// <value>The default is none.</value>
    public IList<ConsulAdditionalCheckOptions> AdditionalChecks { get; } = [];
}
