// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Diagnostics.Metrics;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Connect's instruments on the library's <c>ServiceDiscovery.Consul</c> meter (docs/telemetry.md). Every attribute is
/// bounded: the app's own service name, a fixed set of outcomes and reasons; never a caller's id or a serial number.
/// </summary>
internal sealed class ConnectMetrics
{
    public const string ServiceNameTag = "consul.service.name";
    public const string OutcomeTag = "consul.connect.outcome";
    public const string ReasonTag = "consul.connect.reason";
    public const string DecisionTag = "consul.connect.decision";
    public const string AnswerSourceTag = "consul.connect.answer_source";
    public const string ResourceTag = "consul.connect.resource";
    public const string StageTag = "consul.connect.stage";

    private readonly Counter<long> _handshakes;
    private readonly Counter<long> _clientHandshakes;
    private readonly Counter<long> _authorizations;
    private readonly Counter<long> _watchErrors;
    private volatile Func<Measurement<double>[]>? _leafAge;
    private volatile Func<Measurement<double>[]>? _leafExpiry;

    public ConnectMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(ConsulTelemetry.Name);
        _handshakes = meter.CreateCounter<long>(
            "consul.connect.handshakes", "{handshake}", "Incoming Connect mTLS handshakes, accepted or refused (with the reason).");
        _authorizations = meter.CreateCounter<long>(
            "consul.connect.authorizations", "{authorization}", "Authorization decisions on callers, allowed or denied, by reason and whether Consul or the cache answered.");
        _clientHandshakes = meter.CreateCounter<long>(
            "consul.connect.client.handshakes", "{handshake}", "Outgoing Connect mTLS handshakes to instances of a called service, accepted or refused (with the reason).");
        _watchErrors = meter.CreateCounter<long>(
            "consul.connect.watch.errors", "{error}", "Failed reads of the app's leaf certificate or of the CA roots (each retry counts).");
        meter.CreateObservableGauge(
            "consul.connect.certificate.age", () => _leafAge?.Invoke() ?? [], "s", "Time since the current leaf certificate became valid.");
        meter.CreateObservableGauge(
            "consul.connect.certificate.expiry", () => _leafExpiry?.Invoke() ?? [], "s", "Time until the current leaf certificate expires (negative once expired).");
    }

    /// <summary>Reports the age and time to expiry of whatever leaf <paramref name="leaf"/> returns at collection time.</summary>
    public void ObserveLeaf(string serviceName, Func<ConnectLeaf?> leaf, TimeProvider timeProvider)
    {
        var tags = new KeyValuePair<string, object?>(ServiceNameTag, serviceName);
        _leafAge = () => leaf() is { } current ? [new((timeProvider.GetUtcNow() - current.ValidAfter).TotalSeconds, tags)] : [];
        _leafExpiry = () => leaf() is { } current ? [new((current.ValidBefore - timeProvider.GetUtcNow()).TotalSeconds, tags)] : [];
    }

    /// <summary>One incoming handshake: <c>accepted</c>, or <c>refused</c> with <paramref name="reason"/>.</summary>
    public void Handshake(string serviceName, string? reason)
    {
        var tags = new TagList { { ServiceNameTag, serviceName }, { OutcomeTag, reason is null ? "accepted" : "refused" } };
        if (reason is not null)
        {
            tags.Add(ReasonTag, reason);
        }

        _handshakes.Add(1, tags);
    }

    /// <summary>One outgoing handshake to an instance of <paramref name="calledService"/>: accepted, or refused with <paramref name="failure"/>.</summary>
    public void ClientHandshake(string calledService, PeerVerificationFailure? failure)
    {
        var tags = new TagList { { ServiceNameTag, calledService }, { OutcomeTag, failure is null ? "accepted" : "refused" } };
        if (failure is { } reason)
        {
            tags.Add(ReasonTag, reason.ToTagValue());
        }

        _clientHandshakes.Add(1, tags);
    }

    /// <summary>
    /// One authorization decision at <paramref name="stage"/> (<c>handshake</c>, or <c>request</c> for an open
    /// connection checked again); <paramref name="answerSource"/> is <c>consul</c>, <c>cache</c>, or <c>local</c> when the
    /// caller was refused without asking (its certificate expired).
    /// </summary>
    public void Authorization(string serviceName, bool allowed, string reason, string answerSource, string stage)
        => _authorizations.Add(1, new TagList
        {
            { ServiceNameTag, serviceName },
            { DecisionTag, allowed ? "allowed" : "denied" },
            { ReasonTag, reason },
            { AnswerSourceTag, answerSource },
            { StageTag, stage },
        });

    /// <summary>One failed read of <paramref name="resource"/> (<c>leaf</c> or <c>roots</c>).</summary>
    public void WatchError(string serviceName, string resource, string errorType)
        => _watchErrors.Add(1, new TagList { { ServiceNameTag, serviceName }, { ResourceTag, resource }, { "error.type", errorType } });
}
