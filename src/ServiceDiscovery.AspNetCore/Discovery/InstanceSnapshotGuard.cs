// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Decides, for one watched name, which instances an answer from Consul publishes. Two protections, both from
/// <c>Consul:Discovery</c>:
/// <list type="bullet">
/// <item><b>Void grace</b> (<see cref="ConsulDiscoveryCacheOptions.VoidGracePeriod"/>): an answer that empties a non-empty list,
/// collapses it below <see cref="ConsulDiscoveryCacheOptions.PanicThreshold"/> of its size, or drops instances while
/// Consul's index went backwards (an agent that restarted and lost its state) is not believed at once: the last known
/// instances are served until a settled answer comes, or the grace period ends.</item>
/// <item><b>Panic</b> (<see cref="ConsulDiscoveryCacheOptions.PanicThreshold"/>, as in Envoy): when fewer than that share of
/// the registered instances pass their checks, all registered instances (critical ones too, never those in
/// maintenance) are served, and passive ejection sorts out the dead ones, rather than crowding every call onto a few.</item>
/// </list>
/// Called only from the watch's loop: not thread-safe.
/// </summary>
internal sealed partial class InstanceSnapshotGuard
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromSeconds(1);

    private readonly string _serviceName;
    private readonly ConsulDiscoveryCacheOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly DiscoveryMetrics _metrics;
    private readonly ILogger _logger;

    private ConsulServiceInstance[] _known = [];
    private ulong _knownIndex;
    private long? _graceStarted;
    private bool _panic;

    public InstanceSnapshotGuard(string serviceName, ConsulDiscoveryCacheOptions options, TimeProvider timeProvider, DiscoveryMetrics metrics, ILogger logger)
    {
        _serviceName = serviceName;
        _options = options;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>Whether the last known instances are being served in place of a suspicious answer.</summary>
    public bool InGrace => _graceStarted is not null;

    /// <summary>Whether the last accepted answer was in panic (all registered instances served).</summary>
    public bool InPanic => _panic;

    /// <summary>Whether the registered (not only the available) instances are needed: panic is on.</summary>
    public bool NeedsRegistered => _options.PanicThreshold > 0;

    /// <summary>
    /// The blocking wait for the next query: the configured wait, cut to the rest of the grace period while in grace so
    /// that its end is noticed even when Consul's answer does not change (at least a second: Consul reads 0 as its default).
    /// </summary>
    public TimeSpan Wait(TimeSpan configured)
    {
        if (_graceStarted is not { } started)
        {
            return configured;
        }

        var remaining = _options.VoidGracePeriod - _timeProvider.GetElapsedTime(started);
        var wait = TimeSpan.FromSeconds(Math.Ceiling(Math.Max(remaining.TotalSeconds, MinimumWait.TotalSeconds)));
        return wait < configured ? wait : configured;
    }

    /// <summary>
    /// The instances to publish for an answer at <paramref name="index"/> holding <paramref name="available"/> instances
    /// (those a lookup may return) out of <paramref name="registered"/> ones (available plus failing, without those in
    /// maintenance; ignored when panic is off).
    /// </summary>
    public ConsulServiceInstance[] Decide(ConsulServiceInstance[] available, ConsulServiceInstance[] registered, ulong index)
    {
        var effective = ApplyPanic(available, registered);
        var wentBackwards = _knownIndex != 0 && index < _knownIndex;
        if (IsSuspicious(effective, wentBackwards))
        {
            if (_graceStarted is not { } started)
            {
                _graceStarted = _timeProvider.GetTimestamp();
                _metrics.GuardActivated(_serviceName, DiscoveryMetrics.GraceKind);
                Log.GraceStarted(_logger, _serviceName, _known.Length, effective.Length, wentBackwards, _options.VoidGracePeriod, $"{_options.SectionPath}:VoidGracePeriod");
                return _known;
            }

            if (_timeProvider.GetElapsedTime(started) < _options.VoidGracePeriod)
            {
                return _known;
            }

            Log.GraceExpired(_logger, _serviceName, _options.VoidGracePeriod, effective.Length);
        }
        else if (_graceStarted is not null)
        {
            Log.GraceSettled(_logger, _serviceName, effective.Length);
        }

        _graceStarted = null;
        _known = effective;
        _knownIndex = index;
        return effective;
    }

    private bool IsSuspicious(ConsulServiceInstance[] effective, bool wentBackwards)
    {
        if (_options.VoidGracePeriod <= TimeSpan.Zero || _known.Length == 0)
        {
            return false;
        }

        return effective.Length == 0
            || effective.Length < _options.PanicThreshold * _known.Length
            || (wentBackwards && !ContainsAll(effective, _known));
    }

    private ConsulServiceInstance[] ApplyPanic(ConsulServiceInstance[] available, ConsulServiceInstance[] registered)
    {
        var panic = _options.PanicThreshold > 0
            && registered.Length > available.Length
            && available.Length < _options.PanicThreshold * registered.Length;
        if (panic != _panic)
        {
            _panic = panic;
            if (panic)
            {
                _metrics.GuardActivated(_serviceName, DiscoveryMetrics.PanicKind);
                Log.PanicStarted(_logger, _serviceName, available.Length, registered.Length, _options.PanicThreshold, $"{_options.SectionPath}:PanicThreshold");
            }
            else
            {
                Log.PanicEnded(_logger, _serviceName, available.Length, registered.Length);
            }
        }

        return panic ? registered : available;
    }

    private static bool ContainsAll(ConsulServiceInstance[] next, ConsulServiceInstance[] known)
    {
        foreach (var instance in known)
        {
            if (Array.FindIndex(next, i => string.Equals(i.Id, instance.Id, StringComparison.Ordinal) && string.Equals(i.Node, instance.Node, StringComparison.Ordinal)) < 0)
            {
                return false;
            }
        }

        return true;
    }
}
