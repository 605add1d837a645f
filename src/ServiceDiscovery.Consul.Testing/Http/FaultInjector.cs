// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>The fault hooks every request passes through: pause, added latency, failing the next N requests, and cutting the next N responses.</summary>
internal sealed class FaultInjector
{
    private readonly Lock _sync = new();
    private readonly List<FailureRule> _failures = [];
    private readonly List<CutRule> _cuts = [];
    private TaskCompletionSource? _paused;
    private TimeSpan _latency;

    public TimeSpan Latency
    {
        get { lock (_sync) { return _latency; } }
        set { lock (_sync) { _latency = value; } }
    }

    public void Pause()
    {
        lock (_sync)
        {
            _paused ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Resume()
    {
        TaskCompletionSource? paused;
        lock (_sync)
        {
            paused = _paused;
            _paused = null;
        }

        paused?.TrySetResult();
    }

    public void FailNext(int count, int statusCode, string? pathPrefix, string body)
    {
        lock (_sync)
        {
            _failures.Add(new FailureRule(count, statusCode, pathPrefix, body));
        }
    }

    public void CutNext(int count, string? pathPrefix)
    {
        lock (_sync)
        {
            _cuts.Add(new CutRule(count, pathPrefix));
        }
    }

    /// <summary>True when the response to <paramref name="path"/> is to be cut in the middle of its body (counts it).</summary>
    public bool TakeCut(string path)
    {
        lock (_sync)
        {
            var rule = _cuts.FirstOrDefault(c => c.PathPrefix is null || path.StartsWith(c.PathPrefix, StringComparison.Ordinal));
            if (rule is null)
            {
                return false;
            }

            rule.Remaining--;
            if (rule.Remaining <= 0)
            {
                _cuts.Remove(rule);
            }

            return true;
        }
    }

    public void Clear()
    {
        lock (_sync)
        {
            _failures.Clear();
            _cuts.Clear();
            _latency = TimeSpan.Zero;
        }

        Resume();
    }

    /// <summary>Waits out a pause and the latency, then returns the failure to answer with, if one applies.</summary>
    public async Task<(int Status, string Body)?> BeforeRequestAsync(string path, CancellationToken cancellationToken)
    {
        Task? paused;
        TimeSpan latency;
        lock (_sync)
        {
            paused = _paused?.Task;
            latency = _latency;
        }

        if (paused is not null)
        {
            await paused.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (latency > TimeSpan.Zero)
        {
            // Real time: latency is about the wire, and a fake clock would stall every request.
            await Task.Delay(latency, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }

        lock (_sync)
        {
            var rule = _failures.FirstOrDefault(f => f.PathPrefix is null || path.StartsWith(f.PathPrefix, StringComparison.Ordinal));
            if (rule is null)
            {
                return null;
            }

            rule.Remaining--;
            if (rule.Remaining <= 0)
            {
                _failures.Remove(rule);
            }

            return (rule.StatusCode, rule.Body);
        }
    }

    private sealed class FailureRule(int remaining, int statusCode, string? pathPrefix, string body)
    {
        public int Remaining { get; set; } = remaining;

        public int StatusCode { get; } = statusCode;

        public string? PathPrefix { get; } = pathPrefix;

        public string Body { get; } = body;
    }

    private sealed class CutRule(int remaining, string? pathPrefix)
    {
        public int Remaining { get; set; } = remaining;

        public string? PathPrefix { get; } = pathPrefix;
    }
}
