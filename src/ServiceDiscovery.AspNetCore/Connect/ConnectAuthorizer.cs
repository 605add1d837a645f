// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// Asks the agent (<c>POST /v1/agent/connect/authorize</c>) whether a caller may connect to this service, and reuses
/// each answer for <c>Consul:Connect:AuthorizationCacheDuration</c> (docs/connect.md, "What is cached").
/// </summary>
/// <remarks>
/// The cache is keyed by the caller's SPIFFE id; allows and denies are cached alike, failures are not (the next
/// handshake asks again, and fails closed while the agent does not answer). Concurrent handshakes from one caller
/// that miss the cache share a single call. Consul's answer holds for every certificate of the caller service, so
/// the serial is sent (as Consul's own SDK does) but is not part of the key.
/// </remarks>
internal sealed partial class ConnectAuthorizer
{
    /// <summary>Past this many cached callers the cache is emptied rather than grown (callers are services, so few).</summary>
    internal const int MaxEntries = 10_000;

    private readonly IConsulConnectApi _api;
    private readonly IOptionsMonitor<ConsulOptions> _options;
    private readonly TimeProvider _timeProvider;
    private readonly ConnectMetrics _metrics;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, Entry> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<ConnectDecision>>> _inFlight = new(StringComparer.Ordinal);

    public ConnectAuthorizer(IConsulConnectApi api, IOptionsMonitor<ConsulOptions> options, TimeProvider timeProvider, ConnectMetrics metrics, ILogger<ConnectAuthorizer> logger)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _api = api;
        _options = options;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
    }

    /// <summary>The stage tag of a caller authorized in the TLS handshake of a new connection.</summary>
    public const string AtHandshake = "handshake";

    /// <summary>The stage tag of an open connection's caller authorized again at a request.</summary>
    public const string AtRequest = "request";

    /// <summary>Authorizes at the TLS handshake (<see cref="AtHandshake"/>); see <see cref="AuthorizeAsync(string, string, string?, string, CancellationToken)"/>.</summary>
    public Task<ConnectDecision> AuthorizeAsync(string target, string callerUri, string? callerSerial, CancellationToken cancellationToken)
        => AuthorizeAsync(target, callerUri, callerSerial, AtHandshake, cancellationToken);

    /// <summary>
    /// Decides whether <paramref name="callerUri"/> may call <paramref name="target"/>: from the cache when a fresh answer
    /// is there, else from the agent. Never throws for an agent failure: that is a denial of kind <c>authorize_failed</c>.
    /// <paramref name="stage"/> (<see cref="AtHandshake"/> or <see cref="AtRequest"/>) only tags the metric.
    /// </summary>
    public async Task<ConnectDecision> AuthorizeAsync(string target, string callerUri, string? callerSerial, string stage, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        ArgumentException.ThrowIfNullOrEmpty(callerUri);
        ArgumentException.ThrowIfNullOrEmpty(stage);
        var now = _timeProvider.GetTimestamp();
        if (_cache.TryGetValue(callerUri, out var cached) && now < cached.Decision.ReusableUntil && string.Equals(cached.Target, target, StringComparison.Ordinal))
        {
            var hit = cached.Decision with { FromCache = true };
            _metrics.Authorization(target, hit.Allowed, hit.Kind, "cache", stage);
            return hit;
        }

#pragma warning disable VSTHRD011 // AskAsync runs to its first ConfigureAwait(false) await inside Value: nothing to deadlock on.
        var call = _inFlight.GetOrAdd(callerUri, key => new Lazy<Task<ConnectDecision>>(() => AskAsync(target, key, callerSerial, stage)));
        try
        {
            return await call.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
#pragma warning restore VSTHRD011
        }
        finally
        {
            // Every waiter removes the call it waited on (a no-op after the first), so a finished call is never reused
            // and one whose waiters all gave up is asked again by the next handshake.
            _inFlight.TryRemove(new KeyValuePair<string, Lazy<Task<ConnectDecision>>>(callerUri, call));
        }
    }

    /// <summary>Forgets every cached answer (tests, and an operator who wants a change to apply at once).</summary>
    public void Clear() => _cache.Clear();

    private async Task<ConnectDecision> AskAsync(string target, string callerUri, string? callerSerial, string stage)
    {
        var asked = _timeProvider.GetTimestamp();
        ConnectDecision decision;
        try
        {
            // Not cancelled with one caller's handshake: other handshakes of the same caller may share this call.
            var answer = await _api.AuthorizeConnectAsync(new ConnectAuthorizeRequest(target, callerUri, callerSerial), CancellationToken.None).ConfigureAwait(false);
            decision = new ConnectDecision(answer.Authorized, answer.Reason ?? string.Empty, ConnectDecision.Classify(answer.Reason), FromCache: false);
        }
        catch (ConsulException ex)
        {
            Log.AuthorizeFailed(_logger, callerUri, target, _api.Address, ex.Message);
            decision = new ConnectDecision(false, "the Consul agent did not answer the authorization: " + ex.Message, ConnectDecision.AuthorizeFailed, FromCache: false);
            _metrics.Authorization(target, allowed: false, decision.Kind, "consul", stage);
            return decision;
        }

        var duration = _options.CurrentValue.Connect.AuthorizationCacheDuration;
        if (duration > TimeSpan.Zero)
        {
            if (_cache.Count >= MaxEntries)
            {
                _cache.Clear();
            }

            // Measured from when the question was asked, so an answer is never used past the configured age.
            decision = decision with { ReusableUntil = asked + (long)(duration.TotalSeconds * _timeProvider.TimestampFrequency) };
            _cache[callerUri] = new Entry(target, decision);
        }

        if (decision.Allowed)
        {
            Log.Allowed(_logger, callerUri, target, decision.Reason);
        }
        else
        {
            Log.Denied(_logger, callerUri, target, decision.Reason);
        }

        _metrics.Authorization(target, decision.Allowed, decision.Kind, "consul", stage);
        return decision;
    }

    private sealed record Entry(string Target, ConnectDecision Decision);
}
