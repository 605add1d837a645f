// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// Consul's reaper (§10): every <c>check_reap_interval</c> it removes the agent's services whose check has been
/// critical longer than its <c>DeregisterCriticalServiceAfter</c> (raised to the configured minimum).
/// </summary>
internal sealed partial class CriticalServiceReaper : IDisposable
{
    private readonly LocalAgentState _local;
    private readonly TimeProvider _time;
    private readonly TimeSpan _minimum;
    private readonly ILogger _logger;
    private readonly ITimer _timer;

    public CriticalServiceReaper(LocalAgentState local, TimeProvider time, TimeSpan interval, TimeSpan minimum, ILogger logger)
    {
        _local = local;
        _time = time;
        _minimum = minimum;
        _logger = logger;
        _timer = time.CreateTimer(_ => ReapNow(), null, interval, interval);
    }

    /// <summary>Runs one pass now, as the timer does.</summary>
    public void ReapNow()
    {
        foreach (var (serviceId, checkId) in _local.CriticalTooLong(_time.GetUtcNow(), _minimum))
        {
            if (_local.DeregisterService(serviceId, reaped: true))
            {
                Log.ServiceReaped(_logger, serviceId, checkId);
            }
        }
    }

    public void Dispose() => _timer.Dispose();
}
