// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>A check inside a service registration (<c>structs.CheckType</c>), or a standalone check (<c>structs.CheckDefinition</c>).</summary>
internal sealed class CheckDefinition
{
    public string CheckId { get; set; } = string.Empty;

    public string Name { get; set; } = string.Empty;

    public string Notes { get; init; } = string.Empty;

    public string Status { get; init; } = string.Empty;

    public string ServiceId { get; init; } = string.Empty;

    public IReadOnlyList<string> ScriptArgs { get; init; } = [];

    public GoDuration Interval { get; init; }

    public GoDuration Timeout { get; init; }

    public GoDuration Ttl { get; init; }

    public GoDuration DeregisterCriticalServiceAfter { get; init; }

    public string Http { get; init; } = string.Empty;

    public Dictionary<string, List<string>> Header { get; init; } = [];

    public string Method { get; init; } = string.Empty;

    public string Body { get; init; } = string.Empty;

    public bool DisableRedirects { get; init; }

    public bool TlsSkipVerify { get; init; }

    public string TlsServerName { get; init; } = string.Empty;

    public string Tcp { get; init; } = string.Empty;

    public string Udp { get; init; } = string.Empty;

    public string Grpc { get; init; } = string.Empty;

    public bool GrpcUseTls { get; init; }

    public string H2Ping { get; init; } = string.Empty;

    public string OsService { get; init; } = string.Empty;

    public string DockerContainerId { get; init; } = string.Empty;

    public string AliasNode { get; init; } = string.Empty;

    public string AliasService { get; init; } = string.Empty;

    public int SuccessBeforePassing { get; init; }

    public int FailuresBeforeWarning { get; init; }

    public int FailuresBeforeCritical { get; init; }

    public int OutputMaxSize { get; init; }

    /// <summary>Gets a value indicating whether the check object had no field set (Consul then ignores <c>Check</c>).</summary>
    public bool IsEmpty { get; init; }

    public bool IsTtl => Ttl.IsPositive;

    /// <summary>Gets a value indicating whether the check is one of the kinds run on an interval (structs.CheckType.Validate).</summary>
    public bool IsIntervalKind =>
        ScriptArgs.Count > 0 || Http.Length > 0 || Tcp.Length > 0 || Udp.Length > 0 || Grpc.Length > 0
        || H2Ping.Length > 0 || OsService.Length > 0;

    public bool IsAlias => AliasService.Length > 0 || AliasNode.Length > 0;

    /// <summary>Gets Consul's check type, in the precedence of <c>CheckType.Type()</c>.</summary>
    public string Type
    {
        get
        {
            var interval = Interval.IsPositive;
            return Grpc.Length > 0 && interval ? "grpc"
                : Http.Length > 0 && interval ? "http"
                : IsTtl ? "ttl"
                : Tcp.Length > 0 && interval ? "tcp"
                : Udp.Length > 0 && interval ? "udp"
                : IsAlias ? "alias"
                : ScriptArgs.Count > 0 && DockerContainerId.Length > 0 && interval ? "docker"
                : ScriptArgs.Count > 0 ? "script"
                : H2Ping.Length > 0 && interval ? "h2ping"
                : OsService.Length > 0 && interval ? "os_service"
                : string.Empty;
        }
    }

    /// <summary>Consul's <c>CheckType.Validate</c>, in its order: the message, or null when valid.</summary>
    public string? Validate()
    {
        var intervalKind = IsIntervalKind;
        if (Interval.IsPositive && Ttl.IsPositive)
        {
            return "Interval and TTL cannot both be specified";
        }

        if (intervalKind && Interval.IsPositive is false)
        {
            return "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks";
        }

        if (intervalKind && IsAlias)
        {
            return "Interval cannot be set for Alias checks";
        }

        if (IsAlias && Ttl.IsPositive)
        {
            return "TTL must be not be set for Alias checks";
        }

        if (!intervalKind && !IsAlias && Ttl.IsPositive is false)
        {
            return "TTL must be > 0 for TTL checks";
        }

        if (OutputMaxSize < 0)
        {
            return "MaxOutputMaxSize must be positive";
        }

        // No guard for an unset FailuresBeforeCritical: Consul compares the raw values.
        if (FailuresBeforeWarning > FailuresBeforeCritical)
        {
            return "FailuresBeforeWarning can't be higher than FailuresBeforeCritical";
        }

        return null;
    }
}
