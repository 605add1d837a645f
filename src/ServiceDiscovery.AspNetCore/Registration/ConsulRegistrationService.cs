// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Health;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>
/// This app's registration across the host's lifecycle. Registers in <see cref="StartedAsync"/>, once the server
/// listens (a hosted service's <c>StartAsync</c> runs before Kestrel binds, so the real port is not known there), and
/// never delays start-up unless <c>FailFast</c> asks for it; <see cref="RegistrationLoop"/> keeps it current from then
/// on. <see cref="StoppingAsync"/>, which runs before the server stops taking requests, deregisters (or enters
/// maintenance) and then drains, all within the host's shutdown timeout.
/// </summary>
internal sealed partial class ConsulRegistrationService : IHostedLifecycleService, IConsulRegistration, IAsyncDisposable
{
    private readonly AgentRegistration _agent;
    private readonly IOptionsMonitor<ConsulOptions> _options;
    private readonly TimeProvider _time;
    private readonly IServer? _server;
    private readonly INetworkAddressSource _network;
    private readonly RegistrationBackoff _backoff;
    private readonly ILogger _logger;
    private readonly string? _applicationName;
    private IReadOnlyCollection<string> _boundAddresses = [];
    private RegistrationLoop? _loop;
    private int _stopRequested;
    private int _disposed;

    public ConsulRegistrationService(
        IConsulAgentApi client,
        IOptionsMonitor<ConsulOptions> options,
        TimeProvider time,
        INetworkAddressSource network,
        RegistrationBackoff backoff,
        RegistrationMetrics metrics,
        ApplicationHealthProbe health,
        ILogger<ConsulRegistrationService> logger,
        IServer? server = null,
        IHostEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(backoff);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(logger);
        _agent = new AgentRegistration(client, health, metrics, logger);
        _options = options;
        _time = time;
        _server = server;
        _network = network;
        _backoff = backoff;
        _logger = logger;
        _applicationName = environment?.ApplicationName;
    }

    /// <inheritdoc/>
    public string? ServiceId => _loop?.Registration?.ServiceId;

    /// <inheritdoc/>
    public string? ServiceName => _loop?.Registration?.ServiceName;

    /// <inheritdoc/>
    public Uri? Endpoint => _loop?.Registration is { } registration ? new Uri(registration.Endpoint.Url("/")) : null;

    /// <inheritdoc/>
    public bool IsRegistered => _agent.IsRegistered;

    /// <summary>The background loop's task, for tests that need it to have finished.</summary>
    internal Task Loop => _loop?.Task ?? Task.CompletedTask;

    /// <summary>The entry assembly's version written to <c>Meta.version</c>; settable for tests.</summary>
    internal string Version { get; init; } = RegistrationBuilder.EntryAssemblyVersion();

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        if (!options.Registration.Enabled)
        {
            Log.RegistrationDisabled(_logger, $"{options.Client.SectionPath}:Registration:Enabled");
            return;
        }

        _boundAddresses = _server?.Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
        ServiceRegistration registration;
        try
        {
            registration = Build(options);
        }
        catch (InvalidOperationException ex)
        {
            Log.NothingToRegister(_logger, ex.Message);
            if (options.Registration.FailFast)
            {
                throw new InvalidOperationException($"Consul registration cannot start and {options.Client.SectionPath}:Registration:FailFast is on: {ex.Message}", ex);
            }

            return;
        }

        var registered = false;
        if (options.Registration.FailFast)
        {
            try
            {
                await _agent.RegisterAsync(registration, RegistrationReasons.Initial, cancellationToken).ConfigureAwait(false);
                registered = true;
            }
            catch (ConsulException ex)
            {
                throw new InvalidOperationException(
                    $"Could not register service '{registration.ServiceName}' (id '{registration.ServiceId}') with the Consul agent at {_agent.AgentAddress}, and {options.Client.SectionPath}:Registration:FailFast is on, so the app does not start: {ex.Message} "
                    + $"Make sure the agent is running and reachable ({options.Client.SectionPath}:Address or CONSUL_HTTP_ADDR) and that the token may write the service, or turn FailFast off to start anyway and keep retrying in the background.",
                    ex);
            }
        }

        _loop = new RegistrationLoop(_agent, _options, options, Build, _time, _backoff, _logger);
        _loop.Start(registration, registered);
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) == 1 || _loop is not { } loop)
        {
            return;
        }

        await loop.StopAsync(cancellationToken).ConfigureAwait(false);
        if (loop.Registration is not { } registration)
        {
            return;
        }

        var registrationOptions = loop.Options.Registration;
        try
        {
            if (!await _agent.RemoveAsync(registration, registrationOptions.ShutdownMode, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.DeregistrationTimedOut(_logger, registration.ServiceId, _agent.AgentAddress);
            return;
        }

        var drain = registrationOptions.DrainDelay;
        if (drain > TimeSpan.Zero)
        {
            Log.Draining(_logger, registration.ServiceId, drain);
            try
            {
                await Task.Delay(drain, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Log.DrainCutShort(_logger, registration.ServiceId);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        // The container disposes this instance twice: as itself and as the IHostedService that forwards to it.
        if (Interlocked.Exchange(ref _disposed, 1) == 1 || _loop is null)
        {
            return;
        }

        await _loop.DisposeAsync().ConfigureAwait(false);
    }

    private ServiceRegistration Build(ConsulOptions options)
    {
        var section = options.Client.SectionPath;
        if (!options.Connect.ServesMutualTls)
        {
            var endpoint = ServerAddressSelector.Select(_boundAddresses, options.Service, _network, section);
            return RegistrationBuilder.Build(options, endpoint, _applicationName, Version);
        }

        // Connect (docs/connect.md): others call the mTLS endpoint; Consul's HTTP check, which has no client
        // certificate, calls the plain-HTTP one, where only the health path is served.
        var connectEndpoint = ServerAddressSelector.Select(
            _boundAddresses, options.Service, _network, section, Uri.UriSchemeHttps,
            $"{section}:Connect:Enabled is true and Connect serves mTLS on the app's https:// endpoints only: add one (ASPNETCORE_URLS, --urls or Kestrel:Endpoints), for example https://0.0.0.0:8443.");
        var checkEndpoint = options.Check.Kind == ConsulCheckKind.Http
            ? ServerAddressSelector.Select(
                _boundAddresses, options.Service, _network, section, Uri.UriSchemeHttp,
                $"With {section}:Connect:Enabled, Consul's HTTP check calls {section}:Check:Path over plain HTTP (the https:// endpoint requires a Connect client certificate, which Consul's checker has not): add an http:// address, or set {section}:Check:Kind to Ttl.")
            : null;
        return RegistrationBuilder.Build(options, connectEndpoint, _applicationName, Version, checkEndpoint);
    }
}
