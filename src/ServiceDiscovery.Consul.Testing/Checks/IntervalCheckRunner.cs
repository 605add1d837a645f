// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>
/// The schedule Consul's interval checks share (§9): the first probe after a random stagger in
/// <c>[0, Interval)</c>, then one every <c>Interval</c> after the previous finished, each result passed through
/// the <see cref="StatusHandler"/> thresholds.
/// </summary>
internal abstract partial class IntervalCheckRunner : ICheckRunner
{
    /// <summary>Consul's default probe timeout when the check sets none.</summary>
    protected static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly LocalAgentState _agent;
    private readonly ILogger _logger;
    private readonly StatusHandler _statusHandler;
    private readonly CancellationTokenSource _stop = new();

    protected IntervalCheckRunner(CheckRecord check, LocalAgentState agent, TimeProvider time, ILogger logger)
    {
        Check = check;
        _agent = agent;
        Time = time;
        _logger = logger;
        var d = check.Definition!;
        _statusHandler = new StatusHandler(d.SuccessBeforePassing, d.FailuresBeforeWarning, d.FailuresBeforeCritical);
    }

    protected CheckRecord Check { get; }

    protected TimeProvider Time { get; }

    /// <summary>Gets the probe timeout: the check's <c>Timeout</c>, else 10 s.</summary>
    protected TimeSpan ProbeTimeout => Check.Timeout.IsPositive ? Check.Timeout.ToTimeSpan() : DefaultTimeout;

    public void Start()
    {
        // lib.RandomStagger(interval): uniformly in [0, interval), at millisecond resolution.
        var intervalMs = (int)Math.Clamp(Check.RunInterval.Ticks / TimeSpan.TicksPerMillisecond, 1, int.MaxValue);
        _ = RunAsync(TimeSpan.FromMilliseconds(RandomNumberGenerator.GetInt32(intervalMs)), _stop.Token);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>Runs one probe and returns the raw status and Consul's output text.</summary>
    protected abstract Task<(string Status, string Output)> ProbeAsync(CancellationToken cancellationToken);

    private async Task RunAsync(TimeSpan stagger, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(stagger, Time, cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                var (status, output) = await ProbeAsync(cancellationToken).ConfigureAwait(false);
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                if (_statusHandler.Next(status) is { } applied)
                {
                    _agent.ApplyResult(Check, applied, output);
                }
                else
                {
                    Log.ThresholdNotReached(_logger, Check.CheckId, status);
                }

                await Task.Delay(Check.RunInterval, Time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Deregistered, replaced, or the agent stopped.
        }
        catch (ObjectDisposedException)
        {
            // The agent stopped while a probe was in flight.
        }
    }
}
