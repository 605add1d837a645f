// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>
/// Creates the runner for each check and owns the HTTP clients the probes share: one per combination of
/// TLS verification and redirect policy, keep-alive off as in Consul.
/// </summary>
internal sealed class CheckRuntime : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lazy<HttpClient>[] _clients;
    private readonly Lazy<HttpClient>[] _grpcClients;
    private readonly bool _enableScripts;

    public CheckRuntime(TimeProvider time, ILogger logger, bool enableScripts = false)
    {
        _time = time;
        _logger = logger;
        _enableScripts = enableScripts;
        _grpcClients = [new(() => CreateClient(false, false)), new(() => CreateClient(true, false))];
        _clients = new Lazy<HttpClient>[4];
        for (var i = 0; i < _clients.Length; i++)
        {
            var skipVerify = (i & 1) != 0;
            var followRedirects = (i & 2) == 0;
            _clients[i] = new Lazy<HttpClient>(() => CreateClient(skipVerify, followRedirects));
        }
    }

    /// <summary>Returns the runner for <paramref name="check"/>, or null for kinds the agent does not run (H2PING, Docker, OS service: they keep their status).</summary>
    public ICheckRunner? Create(CheckRecord check, LocalAgentState agent)
    {
        if (check.Definition is not { } d)
        {
            return null;
        }

        switch (d.Type)
        {
            case "grpc":
                return new GrpcCheckRunner(check, agent, _grpcClients[d.TlsSkipVerify ? 1 : 0].Value, d.GrpcUseTls, _time, _logger);
            case "udp":
                return new UdpCheckRunner(check, agent, _time, _logger);
            case "alias":
                return new AliasCheckRunner(check, agent, _time);
            case "script" when _enableScripts:
                return new ScriptCheckRunner(check, agent, _time, _logger);
        }

        if (d.Ttl.IsPositive)
        {
            return new TtlCheckRunner(check, agent, _time);
        }

        if (d.Http.Length > 0)
        {
            var client = _clients[(d.TlsSkipVerify ? 1 : 0) | (d.DisableRedirects ? 2 : 0)].Value;
            return new HttpCheckRunner(check, agent, client, _time, _logger);
        }

        if (d.Tcp.Length > 0)
        {
            return new TcpCheckRunner(check, agent, _time, _logger);
        }

        return null;
    }

    public void Dispose()
    {
        foreach (var client in _clients.Concat(_grpcClients))
        {
            if (client.IsValueCreated)
            {
                client.Value.Dispose();
            }
        }
    }

    private static HttpClient CreateClient(bool skipVerify, bool followRedirects)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = followRedirects,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = TimeSpan.Zero,
        };
        if (skipVerify)
        {
            // Only when the check asks for it (TLSSkipVerify), as Consul does.
#pragma warning disable CA5359 // The user opted out of verification for this check.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }
}
