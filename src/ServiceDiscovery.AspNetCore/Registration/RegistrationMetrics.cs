// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Diagnostics.Metrics;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>
/// Registration instruments on the <c>ServiceDiscovery.Consul</c> meter. Tags are the service name (one per app, low
/// cardinality) and fixed words; never the instance id, which changes with every port.
/// </summary>
internal sealed class RegistrationMetrics
{
    private readonly Counter<long> _registrations;
    private readonly Counter<long> _reregistrations;
    private readonly Counter<long> _failures;
    private readonly Lock _lock = new();
    private string? _serviceName;
    private int _registered;

    public RegistrationMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(ConsulTelemetry.Name);
        _registrations = meter.CreateCounter<long>(
            "consul.registration.registrations", unit: "{registration}", description: "Successful registrations of this app in Consul, by reason (initial, reregistration, changed).");
        _reregistrations = meter.CreateCounter<long>(
            "consul.registration.reregistrations", unit: "{registration}", description: "Registrations made again because the agent had forgotten this app (agent restart, lost state, TTL update answered 404).");
        _failures = meter.CreateCounter<long>(
            "consul.registration.failures", unit: "{failure}", description: "Failed registration, heartbeat, verification and deregistration calls, by operation and error type.");
        meter.CreateObservableGauge(
            "consul.registration.state", ObserveState, unit: "{state}", description: "1 while this app is registered in Consul, 0 while it is not.");
    }

    public void Registered(string serviceName, string reason)
    {
        _registrations.Add(1, new TagList { { "consul.service.name", serviceName }, { "consul.registration.reason", reason } });
        if (reason == RegistrationReasons.Reregistration)
        {
            _reregistrations.Add(1, new KeyValuePair<string, object?>("consul.service.name", serviceName));
        }

        SetState(serviceName, registered: true);
    }

    public void Failed(string serviceName, string operation, Exception exception)
    {
        var errorType = exception is ConsulException consul
            ? ConsulTelemetry.ErrorType(consul.Reason, consul.StatusCode is { } status ? (int)status : null)
            : exception.GetType().FullName;
        _failures.Add(1, new TagList { { "consul.service.name", serviceName }, { "consul.registration.operation", operation }, { "error.type", errorType } });
    }

    public void SetState(string serviceName, bool registered)
    {
        lock (_lock)
        {
            _serviceName = serviceName;
            _registered = registered ? 1 : 0;
        }
    }

    private IEnumerable<Measurement<int>> ObserveState()
    {
        lock (_lock)
        {
            return _serviceName is null
                ? []
                : [new Measurement<int>(_registered, new KeyValuePair<string, object?>("consul.service.name", _serviceName))];
        }
    }
}

/// <summary>Values of the <c>consul.registration.reason</c> tag.</summary>
internal static class RegistrationReasons
{
    public const string Initial = "initial";
    public const string Reregistration = "reregistration";
    public const string Changed = "changed";
}

/// <summary>Values of the <c>consul.registration.operation</c> tag.</summary>
internal static class RegistrationOperations
{
    public const string Register = "register";
    public const string Heartbeat = "heartbeat";
    public const string Verify = "verify";
    public const string Deregister = "deregister";
}
