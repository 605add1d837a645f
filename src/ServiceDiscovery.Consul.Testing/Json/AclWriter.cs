// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Endpoints;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// Writes ACL objects in Consul's JSON shapes (agent/structs/acl.go): links carry the target's current name, links to
/// deleted objects are left out, empty lists are omitted, and a secret the reader may not see is <c>&lt;hidden&gt;</c>.
/// </summary>
internal static class AclWriter
{
    /// <summary>What Consul shows instead of a secret to a token with <c>acl:read</c> but not <c>acl:write</c>.</summary>
    public const string RedactedSecret = "<hidden>";

    public static void Token(Utf8JsonWriter w, AclTables tables, AclTokenRecord token, bool showSecret, bool stub = false)
    {
        w.WriteStartObject();
        w.WriteString("AccessorID", token.AccessorId);
        w.WriteString("SecretID", showSecret ? token.SecretId : RedactedSecret);
        w.WriteString("Description", token.Description);
        Links(w, "Policies", token.Policies, id => tables.Policies.GetValueOrDefault(id)?.Name);
        Links(w, "Roles", token.Roles, id => tables.Roles.GetValueOrDefault(id)?.Name);
        Identities(w, token);
        w.WriteBoolean("Local", token.Local);
        if (token.AuthMethod.Length > 0)
        {
            w.WriteString("AuthMethod", token.AuthMethod);
        }

        if (token.ExpirationTime is { } expiration)
        {
            w.WriteString("ExpirationTime", ServerClock.GoTime(expiration));
        }

        w.WriteString("CreateTime", ServerClock.GoTime(token.CreateTime));
        w.WriteBase64String("Hash", Hash(token.Description, token.Local ? "local" : "global", string.Join(',', token.Policies.Select(p => p.Id)), string.Join(',', token.Roles.Select(r => r.Id))));
        w.WriteNumber("CreateIndex", token.CreateIndex);
        w.WriteNumber("ModifyIndex", token.ModifyIndex);
        if (stub)
        {
            w.WriteBoolean("Legacy", false);
        }

        w.WriteEndObject();
    }

    public static void Policy(Utf8JsonWriter w, AclPolicyRecord policy, bool stub)
    {
        w.WriteStartObject();
        w.WriteString("ID", policy.Id);
        w.WriteString("Name", policy.Name);
        w.WriteString("Description", policy.Description);
        if (!stub)
        {
            w.WriteString("Rules", policy.Rules);
        }

        if (policy.Datacenters.Count > 0 || stub)
        {
            StringArrayOrNull(w, "Datacenters", policy.Datacenters);
        }

        w.WriteBase64String("Hash", Hash(policy.Name, policy.Description, policy.Rules, string.Join(',', policy.Datacenters)));
        w.WriteNumber("CreateIndex", policy.CreateIndex);
        w.WriteNumber("ModifyIndex", policy.ModifyIndex);
        w.WriteEndObject();
    }

    public static void Role(Utf8JsonWriter w, AclTables tables, AclRoleRecord role)
    {
        w.WriteStartObject();
        w.WriteString("ID", role.Id);
        w.WriteString("Name", role.Name);
        w.WriteString("Description", role.Description);
        Links(w, "Policies", role.Policies, id => tables.Policies.GetValueOrDefault(id)?.Name);
        Identities(w, role);
        w.WriteBase64String("Hash", Hash(role.Name, role.Description, string.Join(',', role.Policies.Select(p => p.Id))));
        w.WriteNumber("CreateIndex", role.CreateIndex);
        w.WriteNumber("ModifyIndex", role.ModifyIndex);
        w.WriteEndObject();
    }

    private static void Identities(Utf8JsonWriter w, AclGrantHolder holder)
    {
        if (holder.ServiceIdentities.Count > 0)
        {
            w.WriteStartArray("ServiceIdentities");
            foreach (var identity in holder.ServiceIdentities)
            {
                w.WriteStartObject();
                w.WriteString("ServiceName", identity.ServiceName);
                if (identity.Datacenters.Count > 0)
                {
                    StringArrayOrNull(w, "Datacenters", identity.Datacenters);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (holder.NodeIdentities.Count > 0)
        {
            w.WriteStartArray("NodeIdentities");
            foreach (var identity in holder.NodeIdentities)
            {
                w.WriteStartObject();
                w.WriteString("NodeName", identity.NodeName);
                w.WriteString("Datacenter", identity.Datacenter);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (holder.TemplatedPolicies.Count > 0)
        {
            w.WriteStartArray("TemplatedPolicies");
            foreach (var policy in holder.TemplatedPolicies)
            {
                w.WriteStartObject();
                w.WriteString("TemplateName", policy.TemplateName);
                if (policy.Name is { } name)
                {
                    w.WriteStartObject("TemplateVariables");
                    w.WriteString("Name", name);
                    w.WriteEndObject();
                }

                if (policy.Datacenters.Count > 0)
                {
                    StringArrayOrNull(w, "Datacenters", policy.Datacenters);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
    }

    private static void Links(Utf8JsonWriter w, string name, List<AclLink> links, Func<string, string?> nameOf)
    {
        var resolved = links.Select(l => (l.Id, Name: nameOf(l.Id))).Where(l => l.Name is not null).ToList();
        if (resolved.Count == 0)
        {
            return;
        }

        w.WriteStartArray(name);
        foreach (var (id, linkName) in resolved)
        {
            w.WriteStartObject();
            w.WriteString("ID", id);
            w.WriteString("Name", linkName);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void StringArrayOrNull(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 0)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static byte[] Hash(params string[] parts) => SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts)));
}
