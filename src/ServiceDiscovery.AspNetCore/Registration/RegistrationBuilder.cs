// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Reflection;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>Turns options, the advertised endpoint and the application's identity into a <see cref="ServiceRegistration"/>.</summary>
internal static class RegistrationBuilder
{
    /// <summary>Meta key of the application version, added unless configured.</summary>
    public const string VersionMetaKey = "version";

    /// <summary>Meta key of the registered scheme (<c>http</c>/<c>https</c>; <c>h2c</c> for plaintext gRPC), added unless configured.</summary>
    public const string SchemeMetaKey = "scheme";

    /// <summary>The scheme meta of an app checked over gRPC on a plaintext endpoint: HTTP/2 without TLS, which HttpClient's handler skips.</summary>
    public const string H2cScheme = "h2c";

    /// <summary>The informational version of the entry assembly, without build metadata (<c>+commit</c>); <c>0.0.0</c> when unknown.</summary>
    public static string EntryAssemblyVersion()
    {
        var assembly = Assembly.GetEntryAssembly();
        var version = assembly?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly?.GetName().Version?.ToString();
        if (string.IsNullOrEmpty(version))
        {
            return "0.0.0";
        }

        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus > 0 ? version[..plus] : version;
    }

    /// <summary>The service name: configured, else the normalised application name.</summary>
    public static string ServiceName(ConsulServiceOptions service, string? applicationName)
    {
        ArgumentNullException.ThrowIfNull(service);
        return !string.IsNullOrWhiteSpace(service.Name) ? service.Name.Trim() : ConsulNames.ToServiceName(applicationName);
    }

    /// <param name="options">The settings.</param>
    /// <param name="endpoint">Where others reach the service.</param>
    /// <param name="applicationName">The host's application name, for a default service name.</param>
    /// <param name="version">The <c>version</c> meta value.</param>
    /// <param name="checkEndpoint">Where Consul's HTTP check calls, when not <paramref name="endpoint"/> (Connect's plain-HTTP listener).</param>
    public static ServiceRegistration Build(ConsulOptions options, AdvertisedEndpoint endpoint, string? applicationName, string version, AdvertisedEndpoint? checkEndpoint = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(endpoint);
        var service = options.Service;
        var name = ServiceName(service, applicationName);
        if (name.Length == 0)
        {
            throw new InvalidOperationException($"{options.Client.SectionPath}:Service:Name is not set and cannot be derived from the application name '{applicationName}'. Set {options.Client.SectionPath}:Service:Name.");
        }

        var id = !string.IsNullOrWhiteSpace(service.Id) ? service.Id.Trim() : ConsulNames.ToInstanceId(name, endpoint.Host, endpoint.Port);

        var meta = new Dictionary<string, string>(service.Meta, StringComparer.Ordinal);
        meta.TryAdd(VersionMetaKey, version);
        meta.TryAdd(SchemeMetaKey, AdvertisedScheme(options.Check.Kind, endpoint));

        var check = options.Check;
        var primaryCheckId = "service:" + id;
        var primary = check.Kind switch
        {
            ConsulCheckKind.Http => new AgentServiceCheck
            {
                CheckID = primaryCheckId,
                Name = $"{name} {check.Path}",
                HTTP = (checkEndpoint ?? endpoint).Url(check.Path),
                Method = "GET",
                Interval = check.Interval,
                Timeout = check.Timeout,
                TLSSkipVerify = check.TlsSkipVerify ? true : null,
                DeregisterCriticalServiceAfter = DeregisterAfter(check),
            },
            ConsulCheckKind.Grpc => new AgentServiceCheck
            {
                CheckID = primaryCheckId,
                Name = $"{name} gRPC health",
                GRPC = GrpcTarget(endpoint, check.GrpcService),
                GRPCUseTLS = endpoint.Scheme == "https" ? true : null,
                Interval = check.Interval,
                Timeout = check.Timeout,
                TLSSkipVerify = check.TlsSkipVerify ? true : null,
                DeregisterCriticalServiceAfter = DeregisterAfter(check),
            },
            ConsulCheckKind.Ttl => new AgentServiceCheck
            {
                CheckID = primaryCheckId,
                Name = $"{name} heartbeat",
                Notes = string.Create(CultureInfo.InvariantCulture, $"The app reports its ASP.NET Core health every {(check.Ttl / 3).TotalSeconds:0.###}s."),
                TTL = check.Ttl,
                DeregisterCriticalServiceAfter = DeregisterAfter(check),
            },
            _ => null,
        };

        var additional = check.AdditionalChecks.Select((c, i) => Additional(c, i, id)).ToList();
        var body = new AgentServiceRegistration
        {
            ID = id,
            Name = name,
            Tags = [.. service.Tags],
            Address = endpoint.Host,
            Port = endpoint.Port,
            Meta = meta,
            Weights = new ServiceWeights(service.Weights.Passing, service.Weights.Warning),
            EnableTagOverride = service.EnableTagOverride,
            Check = primary,
            Checks = additional.Count > 0 ? additional : null,
            Connect = options.Connect.ServesMutualTls ? new AgentServiceConnect(Native: true) : null,
        };

        return new ServiceRegistration(body, endpoint, check.Kind == ConsulCheckKind.Ttl ? primaryCheckId : null, check.Ttl);
    }

    /// <summary>
    /// What the <c>scheme</c> meta says: the endpoint's scheme, except that an app Consul checks over gRPC on a
    /// plaintext endpoint speaks HTTP/2 without TLS (<c>h2c</c>), which an HTTP/1.1 caller cannot use.
    /// </summary>
    public static string AdvertisedScheme(ConsulCheckKind kind, AdvertisedEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return kind == ConsulCheckKind.Grpc && endpoint.Scheme == "http" ? H2cScheme : endpoint.Scheme;
    }

    /// <summary>Consul's gRPC check target: <c>host:port</c>, plus <c>/service</c> when a gRPC service name is asked for.</summary>
    private static string GrpcTarget(AdvertisedEndpoint endpoint, string? service)
    {
        var target = string.Create(CultureInfo.InvariantCulture, $"{endpoint.UrlHost}:{endpoint.Port}");
        return string.IsNullOrWhiteSpace(service) ? target : target + "/" + service.Trim();
    }

    private static TimeSpan? DeregisterAfter(ConsulCheckOptions check)
        => check.DeregisterCriticalServiceAfter > TimeSpan.Zero ? check.DeregisterCriticalServiceAfter : null;

    private static AgentServiceCheck Additional(ConsulAdditionalCheckOptions check, int index, string serviceId)
    {
        var target = check.Target!.Trim();
        return new AgentServiceCheck
        {
            CheckID = string.Create(CultureInfo.InvariantCulture, $"service:{serviceId}:{index + 2}"),
            Name = string.IsNullOrWhiteSpace(check.Name) ? $"{check.Kind} {target}" : check.Name,
            Interval = check.Interval,
            Timeout = check.Timeout,
            HTTP = check.Kind == ConsulCheckKind.Http ? target : null,
            Method = check.Kind == ConsulCheckKind.Http ? "GET" : null,
            TCP = check.Kind == ConsulCheckKind.Tcp ? target : null,
            GRPC = check.Kind == ConsulCheckKind.Grpc ? target : null,
            GRPCUseTLS = check.Kind == ConsulCheckKind.Grpc && check.GrpcUseTls ? true : null,
            TLSSkipVerify = check.TlsSkipVerify ? true : null,
        };
    }
}
