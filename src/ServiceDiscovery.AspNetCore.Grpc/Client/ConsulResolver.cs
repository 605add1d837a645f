// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Grpc.Core;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Grpc.Client;

/// <summary>
/// Resolves <c>consul://{service}</c> from <see cref="IConsulServiceDiscovery"/>: publishes the name's instances the
/// channel can call, then every newer list the cache pushes (through the list's change token; never polled). The
/// cache's guards (void grace, panic threshold, stale-on-outage) apply to what is published. While Consul cannot give a
/// first list, the channel gets an Unavailable failure and the resolver asks again with backoff (or at once when the
/// channel asks for a refresh); once it has published, a failed re-read keeps the published addresses.
/// </summary>
internal sealed partial class ConsulResolver : Resolver
{
    private readonly string _serviceName;
    private readonly IConsulServiceDiscovery _discovery;
    private readonly string[] _schemes;
    private readonly ServiceConfig? _serviceConfig;
    private readonly ConsulResolverSettings _settings;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _lock = new();
    private Action<ResolverResult>? _listener;
    private bool _running;
    private bool _pending;
    private int _failures;
    private IDisposable? _changeRegistration;
    private CancellationTokenSource? _retryDelay;
    private bool _published;
    private string? _lastProblem;

    public ConsulResolver(string serviceName, IConsulServiceDiscovery discovery, bool secure, ServiceConfig? serviceConfig, ConsulResolverSettings settings, ILogger logger)
    {
        _serviceName = serviceName;
        _discovery = discovery;
        _schemes = InstanceSchemes.For(secure);
        _serviceConfig = serviceConfig;
        _settings = settings;
        _logger = logger;
    }

    public override void Start(Action<ResolverResult> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_lock)
        {
            if (_listener is not null)
            {
                throw new InvalidOperationException("The resolver was already started.");
            }

            _listener = listener;
        }

        Resolve();
    }

    /// <summary>
    /// The channel asks again (a subchannel failed, or a call found no address). Pushed updates keep a read list
    /// current, so this only matters while a failed read waits for its retry: it is cut short.
    /// </summary>
    public override void Refresh()
    {
        lock (_lock)
        {
            if (_retryDelay is null)
            {
                return;
            }

            _retryDelay.Cancel();
            _retryDelay.Dispose();
            _retryDelay = null;
        }

        Resolve();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_lock)
            {
                _changeRegistration?.Dispose();
                _changeRegistration = null;
            }

            _disposed.Cancel();
            lock (_lock)
            {
                _retryDelay?.Dispose();
                _retryDelay = null;
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Reads the name once, or marks a read as wanted when one is under way (its loop reads again).</summary>
    private void Resolve()
    {
        lock (_lock)
        {
            _pending = true;
            if (_running || _disposed.IsCancellationRequested)
            {
                return;
            }

            _running = true;
        }

        _ = ReadLoopAsync();
    }

    private async Task ReadLoopAsync()
    {
        while (true)
        {
            lock (_lock)
            {
                if (!_pending || _disposed.IsCancellationRequested)
                {
                    _running = false;
                    return;
                }

                _pending = false;
            }

            await ReadOnceAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadOnceAsync()
    {
        ConsulServiceInstances instances;
        try
        {
            instances = await _discovery.GetInstancesAsync(_serviceName, _disposed.Token).ConfigureAwait(false);
        }
        catch (Exception) when (_disposed.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // ConsulException (Consul unreachable before a first answer), or the cache disposed with the host: the
            // loop must survive whatever the lookup throws, or the channel would never hear of the name again.
            OnReadFailed(ex);
            return;
        }

        Publish(instances);
        var registration = instances.ChangeToken.RegisterChangeCallback(static state => ((ConsulResolver)state!).Resolve(), this);
        lock (_lock)
        {
            _changeRegistration?.Dispose();
            _changeRegistration = registration;
            if (_disposed.IsCancellationRequested)
            {
                registration.Dispose();
            }
        }
    }

    private void Publish(ConsulServiceInstances instances)
    {
        var (addresses, skipped) = ResolvedAddresses.From(instances, _schemes);
        ResolverResult result;
        string? problem = null;
        if (addresses.Count > 0)
        {
            result = ResolverResult.ForResult(addresses, _serviceConfig, serviceConfigStatus: null);
        }
        else
        {
            problem = skipped > 0
                ? $"Consul lists {skipped} instance(s) of '{_serviceName}', none serving a scheme this channel speaks ({string.Join(", ", _schemes)}; their 'scheme' meta says otherwise). A plaintext channel (ChannelCredentials.Insecure) calls h2c, grpc and http instances; a TLS channel (ChannelCredentials.SecureSsl) calls https ones."
                : $"Consul has no available instance of '{_serviceName}'.";
            result = ResolverResult.ForFailure(new Status(StatusCode.Unavailable, problem));
        }

        Action<ResolverResult>? listener;
        int recoveredAfter;
        lock (_lock)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            listener = _listener;
            recoveredAfter = _failures;
            _failures = 0;
            _published = true;
            _retryDelay?.Cancel();
            _retryDelay?.Dispose();
            _retryDelay = null;
        }

        if (recoveredAfter > 0)
        {
            Log.ResolveRecovered(_logger, _serviceName, recoveredAfter);
        }

        if (problem is not null && problem != _lastProblem)
        {
            Log.NoUsableInstance(_logger, _serviceName, problem);
        }

        _lastProblem = problem;
        Log.AddressesPublished(_logger, _serviceName, addresses.Count, instances.IsStale);
        listener?.Invoke(result);
    }

    private void OnReadFailed(Exception exception)
    {
        Action<ResolverResult>? listener;
        int failures;
        bool published;
        CancellationTokenSource delay;
        lock (_lock)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            failures = ++_failures;
            published = _published;
            listener = _listener;
            _retryDelay?.Cancel();
            _retryDelay?.Dispose();
            delay = _retryDelay = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        }

        var wait = RetryDelay(failures);
        if (failures == 1)
        {
            Log.ResolveFailed(_logger, _serviceName, wait, published, exception);
        }

        // Once a list was published, a failed re-read (the name was evicted from the cache while Consul is down) keeps it.
        if (!published)
        {
            listener?.Invoke(ResolverResult.ForFailure(new Status(StatusCode.Unavailable, exception.Message, exception)));
        }

        _ = RetryAfterAsync(wait, delay.Token);
    }

    private TimeSpan RetryDelay(int failures)
    {
        var step = _settings.RetryDelay;
        for (var i = 1; i < failures && step < _settings.MaxRetryDelay; i++)
        {
            step *= 2;
        }

        return step < _settings.MaxRetryDelay ? step : _settings.MaxRetryDelay;
    }

    private async Task RetryAfterAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(wait, _settings.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // cut short by Refresh (which reads at once) or by disposal
        }

        Resolve();
    }
}
