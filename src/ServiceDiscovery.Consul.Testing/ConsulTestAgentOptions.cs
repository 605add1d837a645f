// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.Consul.Testing;

/// <summary>How a <see cref="ConsulTestAgent"/> runs. The defaults are those of <c>consul agent -dev</c>.</summary>
public sealed class ConsulTestAgentOptions
{
    /// <summary>Gets or sets the loopback port to listen on; 0 picks a free one.</summary>
    /// <value>The default is 0.</value>
    public int Port { get; set; }

    /// <summary>Gets or sets the agent's datacenter.</summary>
    /// <value>The default is <c>dc1</c>.</value>
    public string Datacenter { get; set; } = "dc1";

    /// <summary>Gets or sets the agent's node name.</summary>
    /// <value>The default is the machine's host name, as Consul uses.</value>
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>Gets the ACL settings.</summary>
    public ConsulTestAgentAclOptions Acl { get; } = new();

    /// <summary>Gets the Connect settings: the built-in CA, leaf certificates and intentions.</summary>
    public ConsulTestAgentConnectOptions Connect { get; } = new();

    /// <summary>
    /// Gets or sets the clock for check intervals, TTLs, reaping, deferred output syncs and blocking-query timeouts.
    /// Tests pass a <c>FakeTimeProvider</c>. HTTP probes themselves are real requests.
    /// </summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets how often critical services are reaped (Consul's <c>check_reap_interval</c>).</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan ReapInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets the floor applied to each check's <c>DeregisterCriticalServiceAfter</c>
    /// (Consul's <c>check_deregister_interval_min</c>).
    /// </summary>
    /// <value>The default is 1 minute.</value>
    public TimeSpan DeregisterCriticalServiceMinimum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets how long a change of a check's output alone (same status) takes to reach <c>/v1/health</c> and
    /// <c>/v1/catalog</c> (Consul's <c>check_update_interval</c>, 5 minutes randomised in real agents).
    /// </summary>
    /// <value>The default is zero: at once.</value>
    public TimeSpan CheckOutputSyncDelay { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether script checks (<c>Args</c>) run, as Consul's
    /// <c>enable_script_checks</c>; off, registering one fails with Consul's 500.
    /// </summary>
    /// <value>The default is <see langword="false"/>, as in Consul.</value>
    public bool EnableScriptChecks { get; set; }

    /// <summary>
    /// Gets or sets Consul's <c>telemetry.prometheus_retention_time</c>: when positive,
    /// <c>/v1/agent/metrics?format=prometheus</c> answers Prometheus text; otherwise 415, as a <c>-dev</c> agent does.
    /// </summary>
    /// <value>The default is zero (Prometheus output off).</value>
    public TimeSpan PrometheusRetentionTime { get; set; }

    /// <summary>Gets or sets where the agent logs; none by default so test output stays quiet.</summary>
    /// <value>The default is <see langword="null"/>: no logging.</value>
    public ILoggerFactory? LoggerFactory { get; set; }
}
