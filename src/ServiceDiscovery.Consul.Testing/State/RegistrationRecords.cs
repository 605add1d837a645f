// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// Turns what <c>/v1/agent/*</c> received into the agent's records, with Consul's defaults (§1): tagged addresses
/// for IP literals, weights, generated check IDs and names, the initial status, and the maintenance checks (§3).
/// </summary>
internal static class RegistrationRecords
{
    public const string ServiceMaintenancePrefix = "_service_maintenance:";

    public const string NodeMaintenanceId = "_node_maintenance";

    /// <summary>Consul's <c>checks.MinInterval</c>: shorter intervals are raised to it.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    public static ServiceRecord Service(string id, ServiceDefinition d)
    {
        var tagged = new Dictionary<string, (string, int)>(d.TaggedAddresses, StringComparer.Ordinal);
        if (System.Net.IPAddress.TryParse(d.Address, out var ip))
        {
            var (lan, wan) = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
                ? ("lan_ipv6", "wan_ipv6") : ("lan_ipv4", "wan_ipv4");
            tagged.TryAdd(lan, (d.Address, d.Port));
            tagged.TryAdd(wan, (d.Address, d.Port));
        }

        return new ServiceRecord
        {
            Id = id,
            Name = d.Name,
            Kind = d.Kind,
            Tags = [.. d.Tags],
            Address = d.Address,
            TaggedAddresses = tagged,
            Meta = d.Meta,
            Port = d.Port,
            SocketPath = d.SocketPath,
            WeightPassing = d.Weights is { } w && w.Passing != 0 ? w.Passing : 1,
            WeightWarning = d.Weights is { } v ? v.Warning : 1,
            EnableTagOverride = d.EnableTagOverride,
            Locality = d.Locality,
            Proxy = d.Proxy,
            ConnectNative = d.ConnectNative,
            LocallyRegisteredAsSidecar = d.LocallyRegisteredAsSidecar,
        };
    }

    /// <summary>The service as the catalog stores it: no agent defaults, weights 1/1 unless valid ones were given (ToServiceNode).</summary>
    public static ServiceRecord CatalogService(string id, ServiceDefinition d) => new()
    {
        Id = id,
        Name = d.Name,
        Kind = d.Kind,
        Tags = [.. d.Tags],
        Address = d.Address,
        TaggedAddresses = d.TaggedAddresses,
        Meta = d.Meta,
        Port = d.Port,
        SocketPath = d.SocketPath,
        WeightPassing = d.Weights is { Passing: > 0, Warning: >= 0 } w ? w.Passing : 1,
        WeightWarning = d.Weights is { Passing: > 0, Warning: >= 0 } v ? v.Warning : 1,
        EnableTagOverride = d.EnableTagOverride,
        Locality = d.Locality,
        Proxy = d.Proxy,
        ConnectNative = d.ConnectNative,
    };

    /// <summary>The ID of entry <paramref name="position"/> (0-based) of a registration's <paramref name="count"/> checks.</summary>
    public static string CheckId(CheckDefinition d, string serviceId, int position, int count) =>
        d.CheckId.Length > 0 ? d.CheckId : count == 1 ? $"service:{serviceId}" : $"service:{serviceId}:{position + 1}";

    /// <summary>A check from its definition; a re-registered check keeps the status and output of <paramref name="old"/>.</summary>
    public static CheckRecord Check(string checkId, CheckDefinition d, ServiceRecord? service, CheckRecord? old)
    {
        var initial = d.Status.Length > 0 ? d.Status : "critical";
        return new CheckRecord
        {
            CheckId = checkId,
            Name = d.Name.Length > 0 ? d.Name : $"Service '{service?.Name}' check",
            Notes = d.Notes,
            ServiceId = service?.Id ?? string.Empty,
            ServiceName = service?.Name ?? string.Empty,
            ServiceTags = service?.Tags ?? [],
            Type = d.Type,
            // Consul prints the interval it was given; only the probe runs at the clamped one (addServiceInternal
            // formats HealthCheck.Interval before addCheck raises chkType.Interval).
            Interval = d.Interval,
            Timeout = d.Timeout,
            Ttl = d.Ttl,
            DeregisterCriticalServiceAfter = d.DeregisterCriticalServiceAfter,
            OutputMaxSize = d.OutputMaxSize > 0 ? d.OutputMaxSize : 4096,
            Definition = d,
            Status = old?.Status ?? initial,
            Output = old?.Output ?? string.Empty,
            CriticalSince = old?.CriticalSince,
            CatalogStatus = old?.CatalogStatus ?? initial,
            CatalogOutput = old?.CatalogOutput ?? string.Empty,
        };
    }

    public static TimeSpan ClampInterval(GoDuration interval) =>
        IsBelowMinInterval(interval) ? MinInterval : interval.ToTimeSpan();

    /// <summary>Whether Consul raises the interval (set, and under <see cref="MinInterval"/> to the nanosecond).</summary>
    public static bool IsBelowMinInterval(GoDuration interval) =>
        interval.IsPositive && interval < GoDuration.FromTimeSpan(MinInterval);

    public static CheckRecord ServiceMaintenance(ServiceRecord service, string reason) => new()
    {
        CheckId = ServiceMaintenancePrefix + service.Id,
        Name = "Service Maintenance Mode",
        Notes = reason.Length > 0 ? reason
            : "Maintenance mode is enabled for this service, but no reason was provided. This is a default message.",
        ServiceId = service.Id,
        ServiceName = service.Name,
        ServiceTags = service.Tags,
        Status = "critical",
        CatalogStatus = "critical",
    };

    public static CheckRecord NodeMaintenance(string reason) => new()
    {
        CheckId = NodeMaintenanceId,
        Name = "Node Maintenance Mode",
        Notes = reason.Length > 0 ? reason
            : "Maintenance mode is enabled for this node, but no reason was provided. This is a default message.",
        Status = "critical",
        CatalogStatus = "critical",
    };

    /// <summary>Truncates TTL output beyond <paramref name="max"/> bytes as Consul does (§5).</summary>
    public static string TruncateOutput(string output, int max)
    {
        var bytes = System.Text.Encoding.UTF8.GetByteCount(output);
        if (bytes <= max)
        {
            return output;
        }

        var head = System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(output), 0, max);
        return $"{head} ... (captured {max} of {bytes} bytes)";
    }
}
