// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Filtering;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>The agent's check endpoints: list (§4), TTL updates (§5), register and deregister.</summary>
internal static class AgentCheckEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/agent/checks", ["GET"], ChecksAsync);
        router.Add("/v1/agent/check/register", ["PUT"], RegisterAsync);
        router.Add("/v1/agent/check/deregister/", ["PUT"], DeregisterAsync);
        router.Add("/v1/agent/check/pass/", ["PUT"], r => TtlAsync(r, "passing"));
        router.Add("/v1/agent/check/warn/", ["PUT"], r => TtlAsync(r, "warning"));
        router.Add("/v1/agent/check/fail/", ["PUT"], r => TtlAsync(r, "critical"));
        router.Add("/v1/agent/check/update/", ["PUT"], UpdateAsync);
    }

    private static string UnknownCheckText(string id) =>
        $"Unknown check ID \"{id}\". Ensure that the check ID is passed, not the check name.";

    private static async Task ChecksAsync(AgentRequest r)
    {
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || await FilterParser.ParseAsync(r, Selectors.IsValidCheck).ConfigureAwait(false) is not { } filter)
        {
            return;
        }

        var filtered = false;
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            lock (r.Store.Sync)
            {
                var node = r.Local.Node.Name;
                foreach (var check in r.Local.Checks.Values.OrderBy(c => c.CheckId, StringComparer.Ordinal))
                {
                    var allowed = check.ServiceId.Length > 0
                        ? authorizer.Allows(ConsulTestAclResource.Service, check.ServiceName, ConsulTestAclAccess.Read)
                        : authorizer.Allows(ConsulTestAclResource.Node, node, ConsulTestAclAccess.Read);
                    if (!allowed)
                    {
                        filtered = true;
                        continue;
                    }

                    if (filter.Matches((check, node), Selectors.Check))
                    {
                        w.WritePropertyName(check.CheckId);
                        ModelWriter.WriteCheck(w, check, node, catalog: false);
                    }
                }
            }

            w.WriteEndObject();
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    private static async Task RegisterAsync(AgentRequest r)
    {
        CheckDefinition definition;
        try
        {
            definition = RequestReaders.ReadStandaloneCheck(await r.ReadBodyAsync().ConfigureAwait(false));
        }
        catch (JsonDecodeException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (definition.Name.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing check name").ConfigureAwait(false);
            return;
        }

        if (definition.Status is not ("" or "passing" or "warning" or "critical"))
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Bad check status").ConfigureAwait(false);
            return;
        }

        if (definition.Validate() is { } error)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Invalid check: {error}").ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        string? serviceName = null;
        if (definition.ServiceId.Length > 0)
        {
            lock (r.Store.Sync)
            {
                serviceName = r.Local.Services.TryGetValue(definition.ServiceId, out var s) ? s.Name : null;
            }

            if (serviceName is null)
            {
                await Responses.WriteErrorAsync(r.Context, 404, $"ServiceID \"{definition.ServiceId}\" does not exist").ConfigureAwait(false);
                return;
            }
        }

        var allowed = serviceName is not null
            ? await r.RequireAsync(authorizer, ConsulTestAclResource.Service, serviceName, ConsulTestAclAccess.Write).ConfigureAwait(false)
            : await r.RequireAsync(authorizer, ConsulTestAclResource.Node, r.Local.Node.Name, ConsulTestAclAccess.Write).ConfigureAwait(false);
        if (!allowed)
        {
            return;
        }

        if (definition.ScriptArgs.Count > 0 && !r.Options.EnableScriptChecks)
        {
            await Responses.WriteErrorAsync(r.Context, 500,
                "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true").ConfigureAwait(false);
            return;
        }

        r.Local.RegisterCheck(definition);
        Responses.WriteEmpty(r.Context);
    }

    private static async Task DeregisterAsync(AgentRequest r)
    {
        if (!await VetCheckUpdateAsync(r).ConfigureAwait(false))
        {
            return;
        }

        if (!r.Local.DeregisterCheck(r.Parameter))
        {
            await Responses.WriteErrorAsync(r.Context, 404, UnknownCheckText(r.Parameter)).ConfigureAwait(false);
            return;
        }

        Responses.WriteEmpty(r.Context);
    }

    private static async Task TtlAsync(AgentRequest r, string status)
    {
        if (await VetCheckUpdateAsync(r).ConfigureAwait(false))
        {
            await ApplyTtlAsync(r, status, r.Query.Get("note")).ConfigureAwait(false);
        }
    }

    private static async Task UpdateAsync(AgentRequest r)
    {
        (string Status, string Output) update;
        try
        {
            update = RequestReaders.ReadCheckUpdate(await r.ReadBodyAsync().ConfigureAwait(false));
        }
        catch (JsonDecodeException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (update.Status is not ("passing" or "warning" or "critical"))
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Invalid check status: '{update.Status}'").ConfigureAwait(false);
            return;
        }

        if (await VetCheckUpdateAsync(r).ConfigureAwait(false))
        {
            await ApplyTtlAsync(r, update.Status, update.Output).ConfigureAwait(false);
        }
    }

    private static async Task ApplyTtlAsync(AgentRequest r, string status, string output)
    {
        switch (r.Local.UpdateTtl(r.Parameter, status, output))
        {
            case CheckResultKind.UnknownCheck:
                await Responses.WriteErrorAsync(r.Context, 404, UnknownCheckText(r.Parameter)).ConfigureAwait(false);
                break;
            case CheckResultKind.NotTtl:
                await Responses.WriteErrorAsync(r.Context, 500, $"CheckID \"{r.Parameter}\" does not have associated TTL").ConfigureAwait(false);
                break;
            default:
                Responses.WriteEmpty(r.Context);
                break;
        }
    }

    /// <summary>vetCheckUpdateWithAuthorizer: <c>service:write</c> for a service check, <c>node:write</c> for a node check.</summary>
    private static async Task<bool> VetCheckUpdateAsync(AgentRequest r)
    {
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return false;
        }

        CheckRecord? check;
        lock (r.Store.Sync)
        {
            r.Local.Checks.TryGetValue(r.Parameter, out check);
        }

        if (check is null)
        {
            await Responses.WriteErrorAsync(r.Context, 404, UnknownCheckText(r.Parameter)).ConfigureAwait(false);
            return false;
        }

        return check.ServiceId.Length > 0
            ? await r.RequireAsync(authorizer, ConsulTestAclResource.Service, check.ServiceName, ConsulTestAclAccess.Write).ConfigureAwait(false)
            : await r.RequireAsync(authorizer, ConsulTestAclResource.Node, r.Local.Node.Name, ConsulTestAclAccess.Write).ConfigureAwait(false);
    }
}
