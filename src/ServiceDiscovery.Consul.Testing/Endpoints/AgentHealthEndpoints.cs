// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>/v1/agent/health/service/id/:id</c> and <c>/name/:name</c> (§6 AggregatedStatus): the local view of an
/// instance's health, as a status code (200 passing, 429 warning, 503 critical or maintenance) and a body.
/// </summary>
internal static class AgentHealthEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/agent/health/service/id/", ["GET"], ByIdAsync);
        router.Add("/v1/agent/health/service/name/", ["GET"], ByNameAsync);
    }

    /// <summary>api.HealthChecks.AggregatedStatus: maintenance, then critical, warning, passing.</summary>
    internal static string AggregatedStatus(IEnumerable<CheckRecord> checks)
    {
        bool warning = false, critical = false, maintenance = false;
        foreach (var check in checks)
        {
            if (check.CheckId == "_node_maintenance" || check.CheckId.StartsWith("_service_maintenance:", StringComparison.Ordinal))
            {
                maintenance = true;
                continue;
            }

            switch (check.Status)
            {
                case "passing": break;
                case "warning": warning = true; break;
                case "critical": critical = true; break;
                default: return string.Empty;
            }
        }

        return maintenance ? "maintenance" : critical ? "critical" : warning ? "warning" : "passing";
    }

    private static int StatusCode(string aggregated) => aggregated switch
    {
        "passing" => 200,
        "warning" => 429,
        _ => 503,
    };

    private static async Task ByIdAsync(AgentRequest r)
    {
        var id = r.Parameter;
        if (id.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing serviceID").ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        ServiceRecord? service;
        List<CheckRecord> checks;
        lock (r.Store.Sync)
        {
            r.Local.Services.TryGetValue(id, out service);
            checks = service is null ? [] : ChecksOf(r.Local, service);
        }

        if (service is null)
        {
            await NotFoundAsync(r, $"ServiceId {id} not found", w =>
            {
                w.WriteStartObject();
                w.WriteString("AggregatedStatus", "critical");
                w.WriteNull("Service");
                w.WriteNull("Checks");
                w.WriteEndObject();
            }).ConfigureAwait(false);
            return;
        }

        if (!await r.RequireAsync(authorizer, ConsulTestAclResource.Service, service.Name, ConsulTestAclAccess.Read).ConfigureAwait(false))
        {
            return;
        }

        var aggregated = AggregatedStatus(checks);
        await WriteAsync(r, StatusCode(aggregated), aggregated, w => WriteInfo(w, r, service, checks, aggregated)).ConfigureAwait(false);
    }

    private static async Task ByNameAsync(AgentRequest r)
    {
        var name = r.Parameter;
        if (name.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing service Name").ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        if (!await r.RequireAsync(authorizer, ConsulTestAclResource.Service, name, ConsulTestAclAccess.Read).ConfigureAwait(false))
        {
            return;
        }

        List<(ServiceRecord Service, List<CheckRecord> Checks, string Status)> instances;
        lock (r.Store.Sync)
        {
            instances = [.. r.Local.Services.Values.Where(s => s.Name == name).OrderBy(s => s.Id, StringComparer.Ordinal)
                .Select(s => (s, ChecksOf(r.Local, s), string.Empty))];
            instances = [.. instances.Select(i => (i.Service, i.Checks, AggregatedStatus(i.Checks)))];
        }

        if (instances.Count == 0)
        {
            await NotFoundAsync(r, $"ServiceName {name} Not Found", w =>
            {
                w.WriteStartArray();
                w.WriteEndArray();
            }).ConfigureAwait(false);
            return;
        }

        // Consul keeps the first instance's code and status, then any with a higher code: 200 < 429 < 503.
        var (code, text) = (StatusCode(instances[0].Status), instances[0].Status);
        foreach (var instance in instances.Skip(1))
        {
            if (StatusCode(instance.Status) > code)
            {
                (code, text) = (StatusCode(instance.Status), instance.Status);
            }
        }

        await WriteAsync(r, code, text, w =>
        {
            w.WriteStartArray();
            foreach (var (service, checks, status) in instances)
            {
                WriteInfo(w, r, service, checks, status);
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static List<CheckRecord> ChecksOf(LocalAgentState local, ServiceRecord service) =>
        [.. local.Checks.Values.Where(c => c.ServiceId == service.Id || c.ServiceId.Length == 0)
            .OrderBy(c => c.CheckId, StringComparer.Ordinal)];

    private static void WriteInfo(Utf8JsonWriter w, AgentRequest r, ServiceRecord service, List<CheckRecord> checks, string aggregated)
    {
        w.WriteStartObject();
        w.WriteString("AggregatedStatus", aggregated);
        w.WritePropertyName("Service");
        ModelWriter.WriteAgentService(w, service, r.Options.Datacenter, null);
        w.WriteStartArray("Checks");
        foreach (var check in checks)
        {
            ModelWriter.WriteCheck(w, check, r.Local.Node.Name, catalog: false);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>returnTextPlain: an <c>Accept: text/plain</c> header or <c>?format=text</c> asks for the bare status.</summary>
    private static bool WantsText(AgentRequest r) =>
        r.Context.Request.Headers.Accept.ToString().StartsWith("text/plain", StringComparison.Ordinal)
        || r.Query.Get("format") == "text";

    private static Task WriteAsync(AgentRequest r, int code, string text, Action<Utf8JsonWriter> json) =>
        WantsText(r)
            ? Responses.WriteTextAsync(r.Context, code, text, "text/plain")
            : Responses.WriteJsonAsync(r, json, code);

    private static Task NotFoundAsync(AgentRequest r, string reason, Action<Utf8JsonWriter> json) =>
        WantsText(r)
            ? Responses.WriteTextAsync(r.Context, 404, reason, "text/plain")
            : Responses.WriteJsonAsync(r, json, 404);
}
