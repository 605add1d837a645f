// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Grpc.AspNetCore.HealthChecks;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Grpc.Health;

/// <summary>
/// What the <c>grpc.health.v1.Health</c> service reports to Consul's gRPC check: the app's ASP.NET Core health checks,
/// without the Consul connectivity check (a Consul outage must not make every instance critical, as for <c>/health</c>),
/// for the whole server (<c>""</c>) and for <c>Consul:Check:GrpcService</c> unless the app mapped that name itself.
/// Grpc.AspNetCore.HealthChecks answers Unhealthy with NOT_SERVING (Consul: critical) and Healthy or Degraded with
/// SERVING (passing): the gRPC health protocol has no warning state.
/// </summary>
internal sealed class GrpcHealthMappings(IOptions<ConsulOptions> consul) : IPostConfigureOptions<GrpcHealthChecksOptions>
{
    /// <summary>The tag of the Consul connectivity health check (<c>AddConsulConnectivity()</c>), left out of what Consul reads.</summary>
    public const string ConnectivityTag = "consul-connectivity";

    private static bool IsLibraryDefault(ServiceMapping mapping)
        => mapping.HealthCheckPredicate?.Method.DeclaringType?.Assembly == typeof(GrpcHealthChecksOptions).Assembly;

    public static bool IsAppCheck(HealthCheckMapContext check) => !check.Tags.Contains(ConnectivityTag, StringComparer.Ordinal);

    /// <summary>
    /// Replaces Grpc.AspNetCore.HealthChecks' own mapping of the whole server (every check), which each
    /// <c>AddGrpcHealthChecks()</c> call adds again, whatever the order of calls; a mapping the app made stands.
    /// </summary>
    public void PostConfigure(string? name, GrpcHealthChecksOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var server = options.Services.FirstOrDefault(static m => m.Name.Length == 0);
        if (server is null || IsLibraryDefault(server))
        {
            options.Services.Map(string.Empty, IsAppCheck);
        }

        var service = consul.Value.Check.GrpcService?.Trim();
        if (string.IsNullOrEmpty(service) || options.Services.Any(m => string.Equals(m.Name, service, StringComparison.Ordinal)))
        {
            return;
        }

        options.Services.Map(service, IsAppCheck);
    }
}
