// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Endpoints;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>
/// One Kestrel listener on 127.0.0.1 and the request pipeline in front of the handlers: request log, fault hooks,
/// Go-style path decoding and cleaning, ServeMux routing with 301/404/405/OPTIONS, then the handler. Stopping it
/// drops in-flight requests (blocking queries included), as an agent that goes away does.
/// </summary>
internal sealed class AgentServer : IAsyncDisposable
{
    private const string UiDisabled = "Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart.";

    private static readonly Router Routes = BuildRouter();

    private readonly WebApplication _app;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly Func<AgentState> _state;
    private readonly ConsulTestAgentOptions _options;
    private readonly AclResolver _acl;
    private readonly FaultInjector _faults;
    private readonly RequestLog _log;

    private AgentServer(WebApplication app, Func<AgentState> state, ConsulTestAgentOptions options, FaultInjector faults, RequestLog log)
    {
        _app = app;
        _state = state;
        _options = options;
        _acl = new AclResolver(options);
        _faults = faults;
        _log = log;
        app.Run(HandleAsync);
    }

    public int Port { get; private set; }

    public static async Task<AgentServer> StartAsync(
        IPAddress ip,
        int port, Func<AgentState> state, ConsulTestAgentOptions options, FaultInjector faults, RequestLog log, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        if (options.LoggerFactory is { } loggerFactory)
        {
            // Kestrel's own request logs would drown the agent's; keep its warnings and errors.
            builder.Logging.AddProvider(new ForwardingLoggerProvider(loggerFactory));
            builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        }

        builder.Services.AddSingleton<Microsoft.Extensions.Hosting.IHostLifetime, PassiveHostLifetime>();

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(ip, port);
        });
        builder.WebHost.UseShutdownTimeout(TimeSpan.FromSeconds(1));
        var app = builder.Build();
        var server = new AgentServer(app, state, options, faults, log);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _lifetime.CancelAsync().ConfigureAwait(false);
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _lifetime.Dispose();
    }

    private static Router BuildRouter()
    {
        var router = new Router();
        AgentServiceEndpoints.Map(router);
        AgentCheckEndpoints.Map(router);
        AgentSelfEndpoint.Map(router);
        AgentHealthEndpoints.Map(router);
        AgentMaintenanceEndpoint.Map(router);
        HealthEndpoints.Map(router);
        CatalogEndpoints.Map(router);
        GatewayServicesEndpoint.Map(router);
        CatalogWriteEndpoints.Map(router);
        CatalogNodeEndpoints.Map(router);
        HealthCheckEndpoints.Map(router);
        EventEndpoints.Map(router);
        CoordinateEndpoints.Map(router);
        KvEndpoints.Map(router);
        SessionEndpoints.Map(router);
        TxnEndpoint.Map(router);
        StatusEndpoints.Map(router);
        AgentClusterEndpoints.Map(router);
        AgentTelemetryEndpoints.Map(router);
        AgentMonitorEndpoint.Map(router);
        AgentTokenEndpoint.Map(router);
        AclEndpoints.Map(router);
        OperatorEndpoints.Map(router);
        OperatorRaftEndpoints.Map(router);
        SnapshotEndpoint.Map(router);
        PreparedQueryEndpoints.Map(router);
        ConfigEntryEndpoints.Map(router);
        ConnectCaEndpoints.Map(router);
        AgentConnectEndpoints.Map(router);
        IntentionEndpoints.Map(router);
        return router;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _lifetime.Token);
        try
        {
            await DispatchAsync(context, aborted.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left, or the agent stopped or restarted: drop the connection as a dying agent would.
            context.Abort();
        }
        catch (ObjectDisposedException) when (_lifetime.IsCancellationRequested)
        {
            context.Abort();
        }
    }

    private async Task DispatchAsync(HttpContext context, CancellationToken aborted)
    {
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "/";
        var decoded = GoPath.TrySplit(rawTarget, out var path, out var rawQuery);
        _log.Add(new ConsulTestRequest(context.Request.Method, path, HideToken(rawQuery), _options.TimeProvider.GetUtcNow()));

        if (await _faults.BeforeRequestAsync(path, aborted).ConfigureAwait(false) is { } fault)
        {
            await Responses.WriteErrorAsync(context, fault.Status, fault.Body).ConfigureAwait(false);
            return;
        }

        if (_faults.TakeCut(path))
        {
            context.Response.Body = new CutResponseBody(context.Response.Body);
        }

        if (!decoded)
        {
            await Responses.WriteTextAsync(context, 400, "400 Bad Request", "text/plain; charset=utf-8").ConfigureAwait(false);
            return;
        }

        var clean = GoPath.Clean(path);
        if (clean != path)
        {
            Redirect(context, clean, rawQuery);
            return;
        }

        var route = Routes.Match(path, out var redirect);
        if (redirect)
        {
            Redirect(context, path + "/", rawQuery);
            return;
        }

        if (route is null && path == "/")
        {
            // Consul's index handler for an agent without its web UI: a 200 that says what the server is, so an HTTP
            // check pointed at the agent's root passes.
            await Responses.WriteTextAsync(context, 200, UiDisabled, "text/plain; charset=utf-8").ConfigureAwait(false);
            return;
        }

        if (route is null)
        {
            await NotFoundAsync(context, path).ConfigureAwait(false);
            return;
        }

        var query = new GoQuery(rawQuery);
        var state = _state();
        var requestLog = HttpRequestLogger.Start(state.Control.Log, _options.TimeProvider, context, rawTarget, query);
        try
        {
            await HandleRouteAsync(context, route, path, query, state, aborted).ConfigureAwait(false);
        }
        finally
        {
            requestLog.Finished();
        }
    }

    private async Task HandleRouteAsync(HttpContext context, Route route, string path, GoQuery query, AgentState state, CancellationToken aborted)
    {
        context.Response.Headers["X-Consul-Default-ACL-Policy"] = _acl.DefaultPolicy;
        var method = context.Request.Method;
        if (method == HttpMethods.Options)
        {
            context.Response.Headers.Allow = route.Allow;
            Responses.WriteEmpty(context);
            return;
        }

        if (!route.Methods.Contains(method))
        {
            context.Response.Headers.Allow = route.Allow;
            await Responses.WriteErrorAsync(context, 405, $"method {method} not allowed").ConfigureAwait(false);
            return;
        }

        var request = new AgentRequest
        {
            Context = context,
            Store = state.Store,
            Wan = state.Wan,
            Local = state.Local,
            Options = _options,
            Control = state.Control,
            Acl = _acl,
            Path = path,
            Parameter = path[route.Pattern.Length..],
            Query = query,
            Token = ParseToken(context, query) is { Length: > 0 } token ? token : state.Control.DefaultToken,
            Aborted = aborted,
        };
        await route.Handler(request).ConfigureAwait(false);
    }

    private static async Task NotFoundAsync(HttpContext context, string path)
    {
        if (path.Contains("/v1/", StringComparison.Ordinal))
        {
            await Responses.WriteHttpErrorAsync(context, 404, "Invalid URL path: not a recognized HTTP API endpoint").ConfigureAwait(false);
            return;
        }

        await Responses.WriteHttpErrorAsync(context, 404, "Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'").ConfigureAwait(false);
    }

    /// <summary>Consul's <c>parseTokenInternal</c> precedence: <c>?token=</c>, <c>X-Consul-Token</c>, <c>Authorization: Bearer</c>.</summary>
    private static string ParseToken(HttpContext context, GoQuery query)
    {
        if (query.Get("token") is { Length: > 0 } fromQuery)
        {
            return fromQuery;
        }

        if (context.Request.Headers["X-Consul-Token"].ToString() is { Length: > 0 } fromHeader)
        {
            return fromHeader;
        }

        var authorization = context.Request.Headers.Authorization.ToString().Trim();
        var space = authorization.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && authorization[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            var rest = authorization[(space + 1)..].Trim();
            var end = rest.IndexOf(' ', StringComparison.Ordinal);
            return end < 0 ? rest : rest[..end];
        }

        return string.Empty;
    }

    /// <summary>As Consul's own request logs do, never keep a <c>?token=</c> value.</summary>
    private static string HideToken(string rawQuery) =>
        rawQuery.Contains("token=", StringComparison.Ordinal)
            ? string.Join('&', rawQuery.Split('&').Select(p => p.StartsWith("token=", StringComparison.Ordinal) ? "token=<hidden>" : p))
            : rawQuery;

    private static void Redirect(HttpContext context, string location, string rawQuery)
    {
        // Go's ServeMux redirects with 301 (and a short HTML body for GET).
        context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
        var escaped = string.Join('/', location.Split('/').Select(Uri.EscapeDataString));
        context.Response.Headers.Location = rawQuery.Length > 0 ? $"{escaped}?{rawQuery}" : escaped;
        context.Response.ContentLength = 0;
    }
}
