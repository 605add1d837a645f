// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// The app's Connect identity, kept fresh: its leaf certificate (<c>/v1/agent/connect/ca/leaf/{service}</c>) and the CA
/// roots (<c>/v1/agent/connect/ca/roots</c>), each watched by its own loop of blocking queries and swapped atomically
/// when the agent answers with a new index. Both TLS sides read <see cref="Leaf"/> and <see cref="Trust"/> per
/// handshake, so a renewal or a root rotation applies to the next handshake without touching open connections.
/// </summary>
/// <remarks>
/// Start-up fetches both once and fails with a message naming <c>Consul:Connect:Enabled</c> when the agent runs
/// without Connect. Afterwards a failing agent never removes what was fetched: the last leaf and roots keep serving
/// (retried with jittered backoff) until the leaf expires, after which <see cref="CurrentLeaf"/> refuses to hand it out.
/// </remarks>
internal sealed partial class ConnectCertificateSource : IHostedService, IDisposable
{
    /// <summary>How long each blocking query waits; the agent answers earlier when the leaf or roots change.</summary>
    public static readonly TimeSpan WaitTime = TimeSpan.FromMinutes(5);

    /// <summary>An unchanged answer sooner than this after the query started is not asked again before this much time.</summary>
    public static readonly TimeSpan MinimumQueryInterval = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    private const string ConnectDisabledText = "Connect must be enabled";

    private readonly IConsulConnectApi _api;
    private readonly TimeProvider _timeProvider;
    private readonly ConnectMetrics _metrics;
    private readonly ILogger _logger;
    private readonly string _settingKey;
    private readonly Func<double> _random;
    private readonly CancellationTokenSource _stopping = new();
    private volatile ConnectLeaf? _leaf;
    private volatile ConnectTrust? _trust;
    private ConnectLeaf? _expiredLogged;
    private Task _loops = Task.CompletedTask;

    /// <param name="api">The agent's Connect endpoints.</param>
    /// <param name="serviceName">The service whose leaf is fetched: the name this app registers as.</param>
    /// <param name="settingKey">The full key of the enabling setting (<c>Consul:Connect:Enabled</c>), for start-up errors.</param>
    /// <param name="timeProvider">Clock for backoff, pacing and expiry.</param>
    /// <param name="metrics">Connect's instruments.</param>
    /// <param name="logger">Where renewals, failures and recoveries are logged.</param>
    /// <param name="random">A uniform source in [0, 1] for the retry jitter.</param>
    public ConnectCertificateSource(
        IConsulConnectApi api,
        string serviceName,
        string settingKey,
        TimeProvider timeProvider,
        ConnectMetrics metrics,
        ILogger<ConnectCertificateSource> logger,
        Func<double>? random = null)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(settingKey);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _api = api;
        ServiceName = serviceName;
        _settingKey = settingKey;
        _timeProvider = timeProvider;
        _metrics = metrics;
        _logger = logger;
        _random = random ?? Random.Shared.NextDouble;
        metrics.ObserveLeaf(serviceName, () => _leaf, timeProvider);
    }

    /// <summary>The service this app's leaf names.</summary>
    public string ServiceName { get; }

    /// <summary>The latest leaf the agent issued (possibly expired while the agent is unreachable); null before start-up.</summary>
    public ConnectLeaf? Leaf => _leaf;

    /// <summary>The latest CA roots; null before start-up.</summary>
    public ConnectTrust? Trust => _trust;

    /// <summary>Raised after <see cref="Leaf"/> or <see cref="Trust"/> changed (on the watch loop's thread; keep handlers short).</summary>
    public event Action? Changed;

    /// <summary>
    /// The leaf to present in a handshake now: <see langword="null"/> when there is none or it has expired (the
    /// handshake then fails closed; the expiry is logged once per leaf).
    /// </summary>
    public ConnectLeaf? CurrentLeaf()
    {
        var leaf = _leaf;
        if (leaf is null)
        {
            return null;
        }

        var now = _timeProvider.GetUtcNow();
        if (leaf.IsValidAt(now))
        {
            return leaf;
        }

        if (!ReferenceEquals(Interlocked.Exchange(ref _expiredLogged, leaf), leaf))
        {
            Log.LeafUnusable(_logger, ServiceName, leaf.SerialNumber, leaf.ValidAfter, leaf.ValidBefore, now);
        }

        return null;
    }

    /// <summary>Fetches the roots and the leaf once (failing start-up clearly), then starts both watch loops.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        QueryResult<ConnectRoots> roots;
        QueryResult<ConnectLeafCertificate> leaf;
        try
        {
            roots = await _api.GetConnectRootsAsync(QueryOptions.Default, cancellationToken).ConfigureAwait(false);
            leaf = await _api.GetConnectLeafAsync(ServiceName, QueryOptions.Default, cancellationToken).ConfigureAwait(false);
        }
        catch (ConsulException ex)
        {
            throw StartupError(ex);
        }

        try
        {
            ApplyTrust(roots.Value, roots.LastIndex);
            ApplyLeaf(leaf.Value, leaf.LastIndex);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"{_settingKey} is true, but the Consul agent at {_api.Address} handed out Connect certificates this app cannot use: {ex.Message}", ex);
        }

        var stopping = _stopping.Token;
        _loops = Task.WhenAll(
            Task.Run(() => WatchAsync("roots", static (api, _, options, ct) => api.GetConnectRootsAsync(options, ct), ApplyTrust, roots.LastIndex, stopping), CancellationToken.None),
            Task.Run(() => WatchAsync("leaf", static (api, name, options, ct) => api.GetConnectLeafAsync(name, options, ct), ApplyLeaf, leaf.LastIndex, stopping), CancellationToken.None));
    }

    /// <summary>Stops both watch loops; the last leaf and roots stay readable.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loops.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private InvalidOperationException StartupError(ConsulException ex)
    {
        var address = _api.Address;
        if (ex.StatusCode == HttpStatusCode.InternalServerError && ex.ResponseBody?.Contains(ConnectDisabledText, StringComparison.OrdinalIgnoreCase) == true)
        {
            return new InvalidOperationException(
                $"{_settingKey} is true, but the Consul agent at {address} runs without Connect: it answered 500 \"{ex.ResponseBody}\". "
                + $"Enable Connect on the agent (connect {{ enabled = true }} in its configuration; consul agent -dev has it on) or set {_settingKey} to false.",
                ex);
        }

        if (ex.StatusCode == HttpStatusCode.Forbidden)
        {
            return new InvalidOperationException(
                $"{_settingKey} is true, but Consul refused this app's Connect certificate for '{ServiceName}' (403 \"{ex.ResponseBody}\"): "
                + "the ACL token needs service:write on the service's own name. Give the token that policy, or set the token this app uses (Consul:Token or Consul:TokenFile).",
                ex);
        }

        return new InvalidOperationException(
            $"{_settingKey} is true, but this app could not get its Connect certificate for '{ServiceName}' and Consul's CA roots from the agent at {address}, "
            + $"and it serves no request without them: {ex.Message}",
            ex);
    }

    private bool ApplyTrust(ConnectRoots roots, ulong index)
    {
        if (_trust is { } current && current.Index == index)
        {
            return false;
        }

        var trust = ConnectTrust.Parse(roots, index);
        _trust = trust;
        Log.RootsChanged(_logger, ServiceName, trust.Roots.Count, trust.ActiveRootId, trust.TrustDomain, index);
        Changed?.Invoke();
        return true;
    }

    private bool ApplyLeaf(ConnectLeafCertificate certificate, ulong index)
    {
        if (_leaf is { } current && current.Index == index)
        {
            return false;
        }

        var leaf = ConnectLeaf.Parse(certificate, index);
        _leaf = leaf;
        Log.LeafIssued(_logger, ServiceName, leaf.SerialNumber, leaf.ServiceUri, leaf.ValidAfter, leaf.ValidBefore);
        Changed?.Invoke();
        return true;
    }

    /// <summary>One resource's loop: block until the agent reports a new index, apply it, repeat; back off while failing.</summary>
    private async Task WatchAsync<T>(
        string resource,
        Func<IConsulConnectApi, string, QueryOptions, CancellationToken, Task<QueryResult<T>>> fetch,
        Func<T, ulong, bool> apply,
        ulong index,
        CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = _timeProvider.GetTimestamp();
            TimeSpan delay;
            try
            {
                // After a failure the first read does not block, so that a recovered agent is noticed (and logged) at once.
                var query = failures > 0 ? QueryOptions.Default : new QueryOptions { Index = index, Wait = WaitTime };
                var result = await fetch(_api, ServiceName, query, cancellationToken).ConfigureAwait(false);
                var changed = apply(result.Value, result.LastIndex);
                if (failures > 0)
                {
                    Log.WatchRecovered(_logger, ServiceName, resource, failures);
                    failures = 0;
                }

                index = result.NextIndex(query.Index);
                var elapsed = _timeProvider.GetElapsedTime(started);
                delay = !changed && elapsed < MinimumQueryInterval ? MinimumQueryInterval - elapsed : TimeSpan.Zero;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is ConsulException or FormatException)
            {
                failures++;
                delay = JitteredBackoff.Delay(failures, RetryDelay, MaxRetryDelay, _random());
                _metrics.WatchError(ServiceName, resource, ex is ConsulException consul ? ConsulTelemetry.ErrorType(consul.Reason, (int?)consul.StatusCode) : "invalid_certificate");
                var validUntil = _leaf?.ValidBefore;
                if (failures == 1)
                {
                    Log.WatchFailed(_logger, ServiceName, resource, _api.Address, validUntil, ex.Message);
                }
                else
                {
                    Log.WatchStillFailing(_logger, ServiceName, resource, failures, delay, ex.Message);
                }
            }

            if (delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
