// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>
/// The lines Consul's HTTP server logs (agent/http.go, sub-logger <c>agent.http</c>) for every request that reaches
/// an API endpoint, so <c>/v1/agent/monitor</c> at debug shows the traffic: a WARN when <c>?token=</c> is used and
/// the DEBUG <c>Request finished</c> line (<c>method</c>, <c>url</c>, <c>from</c>, <c>latency</c>) when the handler
/// is done. Token values in the URL read <c>&lt;hidden&gt;</c>, as Consul redacts them. Nothing is built while no
/// monitor listens at those levels.
/// </summary>
internal sealed partial class HttpRequestLogger
{
    private const string Module = "agent.http";

    private readonly AgentLogMonitor _log;
    private readonly TimeProvider _time;
    private readonly HttpContext _context;
    private readonly string _rawTarget;
    private readonly GoQuery _query;
    private readonly long _started;
    private string? _url;

    private HttpRequestLogger(AgentLogMonitor log, TimeProvider time, HttpContext context, string rawTarget, GoQuery query)
    {
        _log = log;
        _time = time;
        _context = context;
        _rawTarget = rawTarget;
        _query = query;
        _started = time.GetTimestamp();
        if (query.Has("token") && log.IsMonitoring(LogLevel.Warning))
        {
            _url = LogUrl(rawTarget, query);
            log.Write(LogLevel.Warning, Module, "This request used the token query parameter which is deprecated and will be removed in Consul 1.17",
                [new("logUrl", _url)]);
        }
    }

    /// <summary>Starts timing a request that reached an endpoint; logs the token warning at once.</summary>
    public static HttpRequestLogger Start(AgentLogMonitor log, TimeProvider time, HttpContext context, string rawTarget, GoQuery query) =>
        new(log, time, context, rawTarget, query);

    /// <summary>Consul's <c>logURL</c>: the request URL with each <c>?token=</c> value replaced, and the token in a legacy ACL path hidden.</summary>
    public static string LogUrl(string rawTarget, GoQuery query)
    {
        var url = rawTarget;
        foreach (var token in query.GetAll("token"))
        {
            // Consul replaces the decoded value wherever it occurs, and appends the marker for an empty one.
            url = token.Length == 0 ? url + "<hidden>" : url.Replace(token, "<hidden>", StringComparison.Ordinal);
        }

        return LegacyAclPath().Replace(url, "$1<hidden>$4");
    }

    /// <summary>Logs <c>Request finished</c> at DEBUG once the handler is done (also when the client went away).</summary>
    public void Finished()
    {
        if (!_log.IsMonitoring(LogLevel.Debug))
        {
            return;
        }

        var connection = _context.Connection;
        var from = connection.RemoteIpAddress is { } ip
            ? new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, connection.RemotePort).ToString()
            : string.Empty;
        _log.Write(LogLevel.Debug, Module, "Request finished",
        [
            new("method", _context.Request.Method),
            new("url", _url ??= LogUrl(_rawTarget, _query)),
            new("from", from),
            new("latency", GoDuration.Format(_time.GetElapsedTime(_started))),
        ]);
    }

    [GeneratedRegex("^(/v1/acl/(create|update|destroy|info|clone|list)/)([^?]+)([?]?.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex LegacyAclPath();
}
