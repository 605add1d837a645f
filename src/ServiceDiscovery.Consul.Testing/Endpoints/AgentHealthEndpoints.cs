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
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        var id = r.Parameter;
        ServiceRecord? service;
        List<CheckRecord> checks;
        lock (r.Store.Sync)
        {
            r.Store.Services.TryGetValue(id, out service);
            checks = service is null ? [] : ChecksOf(r.Store, service);
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
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        var name = r.Parameter;
        if (!await r.RequireAsync(authorizer, ConsulTestAclResource.Service, name, ConsulTestAclAccess.Read).ConfigureAwait(false))
        {
            return;
        }

        List<(ServiceRecord Service, List<CheckRecord> Checks, string Status)> instances;
        lock (r.Store.Sync)
        {
            instances = [.. r.Store.Services.Values.Where(s => s.Name == name).OrderBy(s => s.Id, StringComparer.Ordinal)
                .Select(s => (s, ChecksOf(r.Store, s), string.Empty))];
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

        // The worst instance decides the code, as Consul's loop over the instances does.
        var code = instances.Max(i => StatusCode(i.Status) == 503 ? 2 : StatusCode(i.Status) == 429 ? 1 : 0) switch
        {
            2 => 503,
            1 => 429,
            _ => 200,
        };
        var text = code == 200 ? "passing" : code == 429 ? "warning" : "critical";
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

    private static List<CheckRecord> ChecksOf(AgentStore store, ServiceRecord service) =>
        [.. store.Checks.Values.Where(c => c.ServiceId == service.Id || (c.ServiceId.Length == 0 && c != store.SerfHealth))
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
            ModelWriter.WriteCheck(w, check, r.Store.Node.Name, catalog: false);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary><c>?format=text</c> answers the bare status as plain text; otherwise JSON.</summary>
    private static Task WriteAsync(AgentRequest r, int code, string text, Action<Utf8JsonWriter> json) =>
        r.Query.Get("format") == "text"
            ? Responses.WriteTextAsync(r.Context, code, text, "text/plain")
            : Responses.WriteJsonAsync(r, json, code);

    private static Task NotFoundAsync(AgentRequest r, string reason, Action<Utf8JsonWriter> json) =>
        r.Query.Get("format") == "text"
            ? Responses.WriteTextAsync(r.Context, 404, reason, "text/plain")
            : Responses.WriteJsonAsync(r, json, 404);
}
