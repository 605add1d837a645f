// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Http;

/// <summary>
/// The HttpClient integration's instruments on the <c>ServiceDiscovery.Consul</c> meter. Tagged by service name only:
/// instance ids change with every port and restart, an unbounded dimension (the ejection log line names the instance).
/// </summary>
internal sealed class HttpDiscoveryMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _noInstance;
    private readonly Counter<long> _ejections;

    public HttpDiscoveryMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(ConsulTelemetry.Name);
        _requests = meter.CreateCounter<long>("consul.http.requests", "{request}", "Requests sent to a discovered instance.");
        _noInstance = meter.CreateCounter<long>("consul.http.no_instance", "{request}", "Requests not sent because the service had no healthy instance.");
        _ejections = meter.CreateCounter<long>("consul.http.ejections", "{ejection}", "Instances avoided for a while after a connection to them failed.");
    }

    public void Request(ConsulServiceInstance instance)
    {
        if (_requests.Enabled)
        {
            _requests.Add(1, new KeyValuePair<string, object?>(DiscoveryMetrics.ServiceNameTag, instance.ServiceName));
        }
    }

    public void NoInstance(string serviceName) => _noInstance.Add(1, new KeyValuePair<string, object?>(DiscoveryMetrics.ServiceNameTag, serviceName));

    public void Ejection(ConsulServiceInstance instance)
        => _ejections.Add(1, new KeyValuePair<string, object?>(DiscoveryMetrics.ServiceNameTag, instance.ServiceName));
}
