// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>Consul's <c>CheckTTL</c> (§10): expires to critical unless an update arrives within the TTL.</summary>
internal sealed class TtlCheckRunner(CheckRecord check, LocalAgentState agent, TimeProvider time) : ICheckRunner
{
    private readonly Lock _sync = new();
    private ITimer? _timer;
    private string _lastOutput = string.Empty;
    private bool _disposed;

    public void Start() => Restart(null);

    /// <summary>Restarts the timer at its full TTL (every update, and every re-registration).</summary>
    /// <param name="output">The output an update set: what an expiry quotes.</param>
    public void Restart(string? output)
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _lastOutput = output ?? _lastOutput;

            if (_timer is null)
            {
                _timer = time.CreateTimer(_ => Expire(), null, check.Ttl.ToTimeSpan(), Timeout.InfiniteTimeSpan);
            }
            else
            {
                _timer.Change(check.Ttl.ToTimeSpan(), Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }

    private void Expire()
    {
        string last;
        lock (_sync)
        {
            last = _lastOutput;
        }

        var output = last.Length == 0
            ? "TTL expired"
            : "TTL expired (last output before timeout follows): " + last;
        agent.ApplyResult(check, "critical", output);
    }
}
