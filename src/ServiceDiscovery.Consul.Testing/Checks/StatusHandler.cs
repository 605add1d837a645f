// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>
/// Consul's <c>StatusHandler</c> (§9): <c>SuccessBeforePassing</c>, <c>FailuresBeforeWarning</c> and
/// <c>FailuresBeforeCritical</c>. The counters start at their thresholds, so the first result applies at once.
/// </summary>
internal sealed class StatusHandler
{
    private readonly int _successBeforePassing;
    private readonly int _failuresBeforeWarning;
    private readonly int _failuresBeforeCritical;
    private int _successCounter;
    private int _failuresCounter;

    public StatusHandler(int successBeforePassing, int failuresBeforeWarning, int failuresBeforeCritical)
    {
        _successBeforePassing = successBeforePassing;
        _failuresBeforeCritical = failuresBeforeCritical;
        _failuresBeforeWarning = failuresBeforeWarning == 0 ? failuresBeforeCritical : failuresBeforeWarning;
        _successCounter = successBeforePassing;
        _failuresCounter = failuresBeforeCritical;
    }

    /// <summary>Returns the status to apply for a raw result, or null to keep the previous status.</summary>
    public string? Next(string status)
    {
        if (status is "passing" or "warning")
        {
            _successCounter++;
            _failuresCounter = 0;
            return _successCounter >= _successBeforePassing ? status : null;
        }

        _failuresCounter++;
        _successCounter = 0;
        if (_failuresCounter >= _failuresBeforeCritical)
        {
            return status;
        }

        return _failuresCounter >= _failuresBeforeWarning ? "warning" : null;
    }
}
