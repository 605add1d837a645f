// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using ServiceDiscovery.Consul.Testing.Filtering;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>The agent's service endpoints: register (§1), deregister (§2), maintenance (§3) and reads (§4).</summary>
internal static partial class AgentServiceEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/agent/service/register", ["PUT"], RegisterAsync);
        router.Add("/v1/agent/service/deregister/", ["PUT"], DeregisterAsync);
        router.Add("/v1/agent/service/maintenance/", ["PUT"], MaintenanceAsync);
        router.Add("/v1/agent/services", ["GET"], ServicesAsync);
        router.Add("/v1/agent/service/", ["GET"], ServiceAsync);
    }

    internal static string UnknownServiceText(string id) =>
        $"Unknown service ID \"{id}\". Ensure that the service ID is passed, not the service name.";

    private static async Task RegisterAsync(AgentRequest r)
    {
        ServiceDefinition definition;
        try
        {
            definition = RequestReaders.ReadService(await r.ReadBodyAsync().ConfigureAwait(false));
        }
        catch (JsonDecodeException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (definition.Name.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing service name").ConfigureAwait(false);
            return;
        }

        if (IPAddress.TryParse(definition.Address.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)))
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Invalid service address").ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        if (definition.Weights is { } weights)
        {
            var error = weights.Passing < 1 ? "Passing must be greater than 0"
                : weights.Warning < 0 ? "Warning must be greater or equal than 0"
                : null;
            if (error is not null)
            {
                await Responses.WriteErrorAsync(r.Context, 400, $"Invalid Weights: {error}").ConfigureAwait(false);
                return;
            }
        }

        if (ValidateMeta(definition.Meta) is { } metaError)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Invalid Service Meta: {metaError}").ConfigureAwait(false);
            return;
        }

        if (ConnectValidation.Errors(definition) is { Count: > 0 } errors)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Validation failed: {ConnectValidation.Format(errors)}").ConfigureAwait(false);
            return;
        }

        var checks = (definition.Check is { IsEmpty: false } single ? [single] : new List<CheckDefinition>()).Concat(definition.Checks).ToList();
        // ServiceDefinition.CheckTypes validates every check, then the handler checks every status.
        if (checks.Select(c => c.Validate()).FirstOrDefault(e => e is not null) is { } checkError)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Invalid check: {checkError}").ConfigureAwait(false);
            return;
        }

        if (checks.Any(c => c.Status is not ("" or "passing" or "warning" or "critical")))
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Status for checks must 'passing', 'warning', 'critical'").ConfigureAwait(false);
            return;
        }

        if (!await r.RequireAsync(authorizer, ConsulTestAclResource.Service, definition.Name, ConsulTestAclAccess.Write).ConfigureAwait(false))
        {
            return;
        }

        if (checks.Any(c => c.ScriptArgs.Count > 0) && !r.Options.EnableScriptChecks)
        {
            await Responses.WriteErrorAsync(r.Context, 500,
                "Scripts are disabled on this agent; to enable, configure 'enable_script_checks' or 'enable_local_script_checks' to true").ConfigureAwait(false);
            return;
        }

        var replace = r.Query.Has("replace-existing-checks") && r.Query.Get("replace-existing-checks") is "" or "true";
        r.Local.RegisterService(definition, replace);
        Responses.WriteEmpty(r.Context);
    }

    private static async Task DeregisterAsync(AgentRequest r)
    {
        var id = r.Parameter;
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer || !await VetServiceUpdateAsync(r, authorizer, id).ConfigureAwait(false))
        {
            return;
        }

        if (!r.Local.DeregisterService(id))
        {
            await Responses.WriteErrorAsync(r.Context, 404, UnknownServiceText(id)).ConfigureAwait(false);
            return;
        }

        Responses.WriteEmpty(r.Context);
    }

    private static async Task MaintenanceAsync(AgentRequest r)
    {
        var id = r.Parameter;
        if (id.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing service ID").ConfigureAwait(false);
            return;
        }

        if (!r.Query.Has("enable"))
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing value for enable").ConfigureAwait(false);
            return;
        }

        var raw = r.Query.Get("enable");
        if (!GoQuery.TryParseGoBool(raw, out var enable))
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Invalid value for enable: \"{raw}\"").ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer || !await VetServiceUpdateAsync(r, authorizer, id).ConfigureAwait(false))
        {
            return;
        }

        if (!r.Local.SetMaintenance(id, enable, r.Query.Get("reason")))
        {
            await Responses.WriteErrorAsync(r.Context, 404, UnknownServiceText(id)).ConfigureAwait(false);
            return;
        }

        Responses.WriteEmpty(r.Context);
    }

    private static async Task ServicesAsync(AgentRequest r)
    {
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || await FilterParser.ParseAsync(r, Selectors.IsValidAgentService).ConfigureAwait(false) is not { } filter)
        {
            return;
        }

        var filtered = false;
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            lock (r.Store.Sync)
            {
                foreach (var service in r.Local.Services.Values.OrderBy(s => s.Id, StringComparer.Ordinal))
                {
                    if (!authorizer.Allows(ConsulTestAclResource.Service, service.Name, ConsulTestAclAccess.Read))
                    {
                        filtered = true;
                        continue;
                    }

                    if (filter.Matches((service, r.Options.Datacenter), Selectors.AgentService))
                    {
                        w.WritePropertyName(service.Id);
                        ModelWriter.WriteAgentService(w, service, r.Options.Datacenter, null);
                    }
                }
            }

            w.WriteEndObject();
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    private static async Task ServiceAsync(AgentRequest r)
    {
        var id = r.Parameter;
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        var hash = r.Query.Get("hash");
        var wait = TimeSpan.Zero;
        if (r.Query.Get("wait") is { Length: > 0 } rawWait)
        {
            if (!GoDuration.TryParse(rawWait, out var parsedWait, out _))
            {
                await Responses.WriteErrorAsync(r.Context, 400, "Invalid wait time").ConfigureAwait(false);
                return;
            }

            wait = parsedWait.ToTimeSpan();
        }

        wait = wait <= TimeSpan.Zero ? BlockingQuery.DefaultWait : wait > BlockingQuery.MaxWait ? BlockingQuery.MaxWait : wait;
        using var timeout = new CancellationTokenSource(wait, r.Options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, r.Aborted);
        while (true)
        {
            Task changed;
            ServiceRecord? service;
            lock (r.Store.Sync)
            {
                changed = r.Store.Changes.NextChange;
                r.Local.Services.TryGetValue(id, out service);
            }

            if (service is null)
            {
                await Responses.WriteErrorAsync(r.Context, 404, $"unknown service ID: {id}").ConfigureAwait(false);
                return;
            }

            if (!await r.RequireAsync(authorizer, ConsulTestAclResource.Service, service.Name, ConsulTestAclAccess.Read).ConfigureAwait(false))
            {
                return;
            }

            var contentHash = ContentHash(service);
            if (hash.Length == 0 || hash != contentHash || timeout.IsCancellationRequested)
            {
                r.Response.Headers["X-Consul-ContentHash"] = contentHash;
                await Responses.WriteJsonAsync(r, w => ModelWriter.WriteAgentService(w, service, r.Options.Datacenter, contentHash)).ConfigureAwait(false);
                return;
            }

            try
            {
                await changed.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !r.Aborted.IsCancellationRequested)
            {
                // Timed out: answer with the unchanged service.
            }
        }
    }

    /// <summary>vetServiceUpdateWithAuthorizer: the existing service's name needs <c>service:write</c>; unknown IDs are 404.</summary>
    private static async Task<bool> VetServiceUpdateAsync(AgentRequest r, Acl.Authorizer authorizer, string id)
    {
        string? name;
        lock (r.Store.Sync)
        {
            name = r.Local.Services.TryGetValue(id, out var s) ? s.Name : null;
        }

        if (name is null)
        {
            await Responses.WriteErrorAsync(r.Context, 404, UnknownServiceText(id)).ConfigureAwait(false);
            return false;
        }

        return await r.RequireAsync(authorizer, ConsulTestAclResource.Service, name, ConsulTestAclAccess.Write).ConfigureAwait(false);
    }

    private static string ContentHash(ServiceRecord s)
    {
        var text = new StringBuilder()
            .Append(s.Id).Append('\0').Append(s.Name).Append('\0').Append(s.Address).Append('\0').Append(s.Port).Append('\0')
            .AppendJoin(',', s.Tags).Append('\0')
            .AppendJoin(',', s.Meta.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)).Append('\0')
            .Append(s.WeightPassing).Append(',').Append(s.WeightWarning).Append(s.EnableTagOverride).Append(s.Kind)
            .ToString();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
    }

    /// <summary>structs.ValidateServiceMetadata: the message after <c>Invalid Service Meta: </c>, or null.</summary>
    private static string? ValidateMeta(Dictionary<string, string> meta)
    {
        if (meta.Count > 64)
        {
            return "Node metadata cannot contain more than 64 key/value pairs";
        }

        foreach (var (key, value) in meta)
        {
            var reason = key.Length == 0 ? "Key cannot be blank"
                : !MetaKey().IsMatch(key) ? "Key contains invalid characters"
                : key.Length > 128 ? "Key is too long (limit: 128 characters)"
                : key.StartsWith("consul-", StringComparison.Ordinal) ? "Key prefix 'consul-' is reserved for internal use"
                : value.Length > 512 ? "Value is too long (limit: 512 characters)"
                : null;
            if (reason is not null)
            {
                return $"Couldn't load metadata pair ('{key}', '{value}'): {reason}";
            }
        }

        return null;
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex MetaKey();
}
