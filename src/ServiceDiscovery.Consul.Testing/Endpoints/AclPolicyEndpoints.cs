// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// Policies (<c>/v1/acl/policy[/:id|/name/:name]</c>, <c>/v1/acl/policies</c>), roles (<c>/v1/acl/role...</c>,
/// <c>/v1/acl/roles</c>) and the built-in templated policies (<c>/v1/acl/templated-policies</c>,
/// <c>/v1/acl/templated-policy/name/:name</c>, <c>/v1/acl/templated-policy/preview/:name</c>).
/// </summary>
internal static class AclPolicyEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/acl/policy", ["PUT"], r => AclEndpoints.GuardAsync(r, r => WritePolicyAsync(r, id: null)));
        router.Add("/v1/acl/policy/", ["GET", "PUT", "DELETE"], r => AclEndpoints.GuardAsync(r, PolicyAsync));
        router.Add("/v1/acl/policy/name/", ["GET"], r => AclEndpoints.GuardAsync(r, r => ReadPolicyAsync(r, byName: true)));
        router.Add("/v1/acl/policies", ["GET"], r => AclEndpoints.GuardAsync(r, ListPoliciesAsync));
        router.Add("/v1/acl/role", ["PUT"], r => AclEndpoints.GuardAsync(r, r => WriteRoleAsync(r, id: null)));
        router.Add("/v1/acl/role/", ["GET", "PUT", "DELETE"], r => AclEndpoints.GuardAsync(r, RoleAsync));
        router.Add("/v1/acl/role/name/", ["GET"], r => AclEndpoints.GuardAsync(r, r => ReadRoleAsync(r, byName: true)));
        router.Add("/v1/acl/roles", ["GET"], r => AclEndpoints.GuardAsync(r, ListRolesAsync));
        router.Add("/v1/acl/templated-policies", ["GET"], r => AclEndpoints.GuardAsync(r, TemplatesAsync));
        router.Add("/v1/acl/templated-policy/name/", ["GET"], r => AclEndpoints.GuardAsync(r, TemplateAsync));
        router.Add("/v1/acl/templated-policy/preview/", ["POST"], r => AclEndpoints.GuardAsync(r, PreviewAsync));
    }

    private static Task PolicyAsync(AgentRequest r) => r.Parameter.Length == 0 && r.Method != "PUT"
        ? Responses.WriteErrorAsync(r.Context, 400, "Missing policy ID")
        : r.Method switch
        {
            "PUT" => WritePolicyAsync(r, r.Parameter),
            "DELETE" => DeletePolicyAsync(r),
            _ => ReadPolicyAsync(r, byName: false),
        };

    private static async Task ReadPolicyAsync(AgentRequest r, bool byName)
    {
        if (byName && r.Parameter.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing policy Name").ConfigureAwait(false);
            return;
        }

        if (await AclEndpoints.ReadGuardAsync(r).ConfigureAwait(false) is not { } guard)
        {
            return;
        }

        var tables = AclTables.For(r.Store);
        var policy = await guard.Blocking.RunAsync(r, () =>
            (tables.PoliciesIndex, byName ? tables.PolicyByName(r.Parameter) : tables.Policies.GetValueOrDefault(r.Parameter))).ConfigureAwait(false);
        await WriteOrNotFoundAsync(r, policy, w => AclWriter.Policy(w, policy!, stub: false)).ConfigureAwait(false);
    }

    private static async Task ListPoliciesAsync(AgentRequest r)
    {
        if (await AclEndpoints.ReadGuardAsync(r).ConfigureAwait(false) is not { } guard)
        {
            return;
        }

        var tables = AclTables.For(r.Store);
        var policies = await guard.Blocking.RunAsync(r, () => (tables.PoliciesIndex, tables.Policies.Values.OrderBy(p => p.Id, StringComparer.Ordinal).ToList())).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var policy in policies)
            {
                AclWriter.Policy(w, policy, stub: true);
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task WritePolicyAsync(AgentRequest r, string? id)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Write).ConfigureAwait(false) is null
            || await AclEndpoints.ReadBodyAsync(r, "Policy", AclRequestReader.Policy).ConfigureAwait(false) is not { } request)
        {
            return;
        }

        if (IdMismatch(request.Id, id, "Policy") is { } mismatch)
        {
            await Responses.WriteErrorAsync(r.Context, 400, mismatch).ConfigureAwait(false);
            return;
        }

        string? error;
        AclPolicyRecord? policy;
        lock (r.Store.Sync)
        {
            var tables = AclTables.For(r.Store);
            tables.EnsureSeeded(r.Options.Acl, r.Options.TimeProvider.GetUtcNow());
            error = new AclPolicyWriter(r.Store, tables).SetPolicy(request with { Id = id ?? string.Empty }, out policy);
        }

        await WriteResultAsync(r, error, policy is null ? null : w => AclWriter.Policy(w, policy, stub: false)).ConfigureAwait(false);
    }

    private static async Task DeletePolicyAsync(AgentRequest r)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Write).ConfigureAwait(false) is null)
        {
            return;
        }

        string? error;
        lock (r.Store.Sync)
        {
            error = new AclPolicyWriter(r.Store, AclTables.For(r.Store)).DeletePolicy(r.Parameter);
        }

        await WriteResultAsync(r, error, w => w.WriteBooleanValue(true)).ConfigureAwait(false);
    }

    private static Task RoleAsync(AgentRequest r) => r.Parameter.Length == 0 && r.Method != "PUT"
        ? Responses.WriteErrorAsync(r.Context, 400, "Missing role ID")
        : r.Method switch
        {
            "PUT" => WriteRoleAsync(r, r.Parameter),
            "DELETE" => DeleteRoleAsync(r),
            _ => ReadRoleAsync(r, byName: false),
        };

    private static async Task ReadRoleAsync(AgentRequest r, bool byName)
    {
        if (byName && r.Parameter.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing role Name").ConfigureAwait(false);
            return;
        }

        if (await AclEndpoints.ReadGuardAsync(r).ConfigureAwait(false) is not { } guard)
        {
            return;
        }

        var tables = AclTables.For(r.Store);
        var role = await guard.Blocking.RunAsync(r, () =>
            (tables.RolesIndex, byName ? tables.RoleByName(r.Parameter) : tables.Roles.GetValueOrDefault(r.Parameter))).ConfigureAwait(false);
        await WriteOrNotFoundAsync(r, role, w => WriteRoleLocked(r, w, tables, role!)).ConfigureAwait(false);
    }

    private static async Task ListRolesAsync(AgentRequest r)
    {
        if (await AclEndpoints.ReadGuardAsync(r).ConfigureAwait(false) is not { } guard)
        {
            return;
        }

        var policy = r.Query.Get("policy");
        var tables = AclTables.For(r.Store);
        var roles = await guard.Blocking.RunAsync(r, () => (tables.RolesIndex, tables.Roles.Values
            .Where(role => policy.Length == 0 || role.Policies.Any(p => p.Id == policy))
            .OrderBy(role => role.Id, StringComparer.Ordinal).ToList())).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var role in roles)
            {
                WriteRoleLocked(r, w, tables, role);
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task WriteRoleAsync(AgentRequest r, string? id)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Write).ConfigureAwait(false) is null
            || await AclEndpoints.ReadBodyAsync(r, "Role", AclRequestReader.Role).ConfigureAwait(false) is not { } request)
        {
            return;
        }

        if (IdMismatch(request.Id, id, "Role") is { } mismatch)
        {
            await Responses.WriteErrorAsync(r.Context, 400, mismatch).ConfigureAwait(false);
            return;
        }

        string? error;
        AclRoleRecord? role;
        var tables = AclTables.For(r.Store);
        lock (r.Store.Sync)
        {
            error = new AclPolicyWriter(r.Store, tables).SetRole(request with { Id = id ?? string.Empty }, out role);
        }

        await WriteResultAsync(r, error, role is null ? null : w => WriteRoleLocked(r, w, tables, role)).ConfigureAwait(false);
    }

    private static async Task DeleteRoleAsync(AgentRequest r)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Write).ConfigureAwait(false) is null)
        {
            return;
        }

        lock (r.Store.Sync)
        {
            new AclPolicyWriter(r.Store, AclTables.For(r.Store)).DeleteRole(r.Parameter);
        }

        await Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(true)).ConfigureAwait(false);
    }

    private static async Task TemplatesAsync(AgentRequest r)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Read).ConfigureAwait(false) is null)
        {
            return;
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            foreach (var name in IdentityPolicies.Templates.Keys.Order(StringComparer.Ordinal))
            {
                w.WritePropertyName(name);
                WriteTemplate(w, name);
            }

            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static async Task TemplateAsync(AgentRequest r)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Read).ConfigureAwait(false) is null)
        {
            return;
        }

        if (!IdentityPolicies.Templates.ContainsKey(r.Parameter))
        {
            await Responses.WriteErrorAsync(r.Context, 404, $"Invalid templated policy Name: {r.Parameter}").ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w => WriteTemplate(w, r.Parameter)).ConfigureAwait(false);
    }

    /// <summary>The policy a template would synthesise for the given variables (<c>{"Name": "web"}</c>).</summary>
    private static async Task PreviewAsync(AgentRequest r)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Read).ConfigureAwait(false) is null)
        {
            return;
        }

        if (!IdentityPolicies.Templates.TryGetValue(r.Parameter, out var template))
        {
            await Responses.WriteErrorAsync(r.Context, 404, $"Invalid templated policy Name: {r.Parameter}").ConfigureAwait(false);
            return;
        }

        // Values are read inside the callback: the body's document is gone once it returns.
        var name = await AclEndpoints.ReadBodyAsync(r, "Request", body =>
            StrictObject.Read(body, "ACLTemplatedPolicyVariables", StrictObject.Fields(["Name"])).GetString("Name")).ConfigureAwait(false);
        if (name is null)
        {
            return;
        }

        if (template.NeedsName && name.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"validation error for templated policy: \"{r.Parameter}\": name is required").ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteString("ID", string.Empty);
            w.WriteString("Name", $"synthetic-policy-{AclTables.DerivedId(r.Parameter + "/" + name)}");
            w.WriteString("Description", $"synthetic policy generated from templated policy: {r.Parameter}");
            w.WriteString("Rules", IdentityPolicies.RenderText(r.Parameter, name));
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static void WriteTemplate(Utf8JsonWriter w, string name)
    {
        var (template, needsName, description) = IdentityPolicies.Templates[name];
        w.WriteStartObject();
        w.WriteString("TemplateName", name);
        w.WriteString("Schema", needsName
            ? "{\n  \"type\": \"object\",\n  \"properties\": {\n    \"name\": { \"type\": \"string\", \"$ref\": \"#/definitions/min-length-one\" }\n  },\n  \"required\": [\"name\"]\n}"
            : string.Empty);
        w.WriteString("Template", template);
        w.WriteString("Description", description);
        w.WriteEndObject();
    }

    private static string? IdMismatch(string bodyId, string? urlId, string kind) =>
        urlId is null
            ? bodyId.Length > 0 ? $"Cannot specify the ID when creating a new {kind.ToLowerInvariant()}" : null
            : bodyId.Length > 0 && bodyId != urlId ? $"{kind} ID in URL and payload do not match" : null;

    private static void WriteRoleLocked(AgentRequest r, Utf8JsonWriter w, AclTables tables, AclRoleRecord role)
    {
        lock (r.Store.Sync)
        {
            AclWriter.Role(w, tables, role);
        }
    }

    private static Task WriteOrNotFoundAsync(AgentRequest r, object? found, Action<Utf8JsonWriter> write) =>
        found is null ? Responses.WriteErrorAsync(r.Context, 403, AclResolver.NotFound) : Responses.WriteJsonAsync(r, write);

    private static Task WriteResultAsync(AgentRequest r, string? error, Action<Utf8JsonWriter>? write) =>
        error is not null || write is null
            ? Responses.WriteErrorAsync(r.Context, 500, error ?? AclResolver.NotFound)
            : Responses.WriteJsonAsync(r, write);
}
