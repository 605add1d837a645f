// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Acl.Rules;

using static ServiceDiscovery.Consul.Testing.Snapshots.StateFields;

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>
/// The <c>ACL</c> part of <c>state.bin</c>: policies (with their rule text, parsed again on restore), roles, tokens
/// (secrets included, as in Consul's snapshots), auth methods and binding rules as stored, each table's index and the
/// bootstrap index.
/// </summary>
internal static class AclSnapshotJson
{
    public static void Write(Utf8JsonWriter w, AclTables tables)
    {
        w.WriteStartObject("ACL");
        w.WriteNumber("PoliciesIndex", tables.PoliciesIndex);
        w.WriteNumber("TokensIndex", tables.TokensIndex);
        w.WriteNumber("RolesIndex", tables.RolesIndex);
        w.WriteNumber("AuthMethodsIndex", tables.AuthMethodsIndex);
        w.WriteNumber("BindingRulesIndex", tables.BindingRulesIndex);
        w.WriteNumber("BootstrapIndex", tables.BootstrapIndex);
        w.WriteStartArray("Policies");
        foreach (var p in tables.Policies.Values.OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("ID", p.Id);
            w.WriteString("Name", p.Name);
            w.WriteString("Description", p.Description);
            w.WriteString("Rules", p.Rules);
            Strings(w, "Datacenters", p.Datacenters);
            w.WriteNumber("CreateIndex", p.CreateIndex);
            w.WriteNumber("ModifyIndex", p.ModifyIndex);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("Roles");
        foreach (var r in tables.Roles.Values.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("ID", r.Id);
            w.WriteString("Name", r.Name);
            w.WriteString("Description", r.Description);
            Grants(w, r);
            w.WriteNumber("CreateIndex", r.CreateIndex);
            w.WriteNumber("ModifyIndex", r.ModifyIndex);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("Tokens");
        foreach (var t in tables.Tokens.Values.OrderBy(t => t.AccessorId, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("AccessorID", t.AccessorId);
            w.WriteString("SecretID", t.SecretId);
            w.WriteString("Description", t.Description);
            Strings(w, "Roles", t.Roles.Select(l => l.Id));
            w.WriteBoolean("Local", t.Local);
            w.WriteString("AuthMethod", t.AuthMethod);
            if (t.ExpirationTime is { } expires)
            {
                w.WriteString("ExpirationTime", expires.ToString("O", CultureInfo.InvariantCulture));
            }

            w.WriteString("CreateTime", t.CreateTime.ToString("O", CultureInfo.InvariantCulture));
            Grants(w, t);
            w.WriteNumber("CreateIndex", t.CreateIndex);
            w.WriteNumber("ModifyIndex", t.ModifyIndex);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        Objects(w, "AuthMethods", tables.AuthMethods);
        Objects(w, "BindingRules", tables.BindingRules);
        w.WriteEndObject();
    }

    /// <summary>Decodes the <c>ACL</c> object.</summary>
    /// <exception cref="FormatException">A field is missing or of the wrong type, or a policy's rules no longer parse.</exception>
    public static AclTablesContent Read(JsonObject acl)
    {
        var policies = Array(acl, "Policies").Select(n =>
        {
            var o = AsObject(n, "ACL.Policies[]");
            var rules = Text(o, "Rules");
            PolicyRules parsed;
            try
            {
                parsed = PolicyRulesParser.Parse(rules);
            }
            catch (AclRulesException ex)
            {
                throw new FormatException($"state.bin policy {Text(o, "ID")} has rules that do not parse: {ex.Message}", ex);
            }

            return new AclPolicyRecord
            {
                Id = Text(o, "ID"), Name = Text(o, "Name"), Description = Text(o, "Description"), Rules = rules, Parsed = parsed,
                Datacenters = Strings(o, "Datacenters"), CreateIndex = Number(o, "CreateIndex"), ModifyIndex = Number(o, "ModifyIndex"),
            };
        }).ToList();
        var roles = Array(acl, "Roles").Select(n =>
        {
            var o = AsObject(n, "ACL.Roles[]");
            var role = new AclRoleRecord
            {
                Id = Text(o, "ID"), Name = Text(o, "Name"), Description = Text(o, "Description"),
                CreateIndex = Number(o, "CreateIndex"), ModifyIndex = Number(o, "ModifyIndex"),
            };
            ReadGrants(o, role);
            return role;
        }).ToList();
        var tokens = Array(acl, "Tokens").Select(n =>
        {
            var o = AsObject(n, "ACL.Tokens[]");
            var token = new AclTokenRecord
            {
                AccessorId = Text(o, "AccessorID"), SecretId = Text(o, "SecretID"), Description = Text(o, "Description"),
                Roles = [.. Strings(o, "Roles").Select(id => new AclLink(id))], Local = o["Local"] is JsonValue local && local.TryGetValue(out bool l) && l,
                AuthMethod = Text(o, "AuthMethod"),
                ExpirationTime = o["ExpirationTime"] is null ? null : Time(o, "ExpirationTime"),
                CreateTime = Time(o, "CreateTime"), CreateIndex = Number(o, "CreateIndex"), ModifyIndex = Number(o, "ModifyIndex"),
            };
            ReadGrants(o, token);
            return token;
        }).ToList();

        return new AclTablesContent(
            policies, roles, tokens, ObjectsOf(acl, "AuthMethods"), ObjectsOf(acl, "BindingRules"),
            Number(acl, "PoliciesIndex"), Number(acl, "TokensIndex"), Number(acl, "RolesIndex"),
            Number(acl, "AuthMethodsIndex"), Number(acl, "BindingRulesIndex"), Number(acl, "BootstrapIndex"));
    }

    private static void Grants(Utf8JsonWriter w, AclGrantHolder holder)
    {
        Strings(w, "Policies", holder.Policies.Select(l => l.Id));
        w.WriteStartArray("ServiceIdentities");
        foreach (var s in holder.ServiceIdentities)
        {
            w.WriteStartObject();
            w.WriteString("ServiceName", s.ServiceName);
            Strings(w, "Datacenters", s.Datacenters);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("NodeIdentities");
        foreach (var n in holder.NodeIdentities)
        {
            w.WriteStartObject();
            w.WriteString("NodeName", n.NodeName);
            w.WriteString("Datacenter", n.Datacenter);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("TemplatedPolicies");
        foreach (var t in holder.TemplatedPolicies)
        {
            w.WriteStartObject();
            w.WriteString("TemplateName", t.TemplateName);
            if (t.Name is not null)
            {
                w.WriteString("Name", t.Name);
            }

            Strings(w, "Datacenters", t.Datacenters);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void ReadGrants(JsonObject o, AclGrantHolder holder)
    {
        holder.Policies = [.. Strings(o, "Policies").Select(id => new AclLink(id))];
        holder.ServiceIdentities = [.. Array(o, "ServiceIdentities").Select(n => AsObject(n, "ServiceIdentities[]")).Select(s => new AclServiceIdentity(Text(s, "ServiceName"), Strings(s, "Datacenters")))];
        holder.NodeIdentities = [.. Array(o, "NodeIdentities").Select(n => AsObject(n, "NodeIdentities[]")).Select(n => new AclNodeIdentity(Text(n, "NodeName"), Text(n, "Datacenter")))];
        holder.TemplatedPolicies = [.. Array(o, "TemplatedPolicies").Select(n => AsObject(n, "TemplatedPolicies[]"))
            .Select(t => new AclTemplatedPolicy(Text(t, "TemplateName"), t["Name"] is null ? null : Text(t, "Name"), Strings(t, "Datacenters")))];
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static void Objects(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, JsonObject> objects)
    {
        w.WriteStartObject(name);
        foreach (var (key, value) in objects)
        {
            w.WritePropertyName(key);
            value.WriteTo(w);
        }

        w.WriteEndObject();
    }

    private static Dictionary<string, JsonObject> ObjectsOf(JsonObject o, string name) =>
        (o[name] as JsonObject ?? throw Invalid("ACL." + name, "an object"))
            .ToDictionary(p => p.Key, p => p.Value as JsonObject ?? throw Invalid($"ACL.{name}.{p.Key}", "an object"), StringComparer.Ordinal);

    private static List<string> Strings(JsonObject o, string name) =>
        [.. Array(o, name).Select(v => v is JsonValue s && s.TryGetValue(out string? text) ? text : throw Invalid(name + "[]", "a string"))];

    private static JsonObject AsObject(JsonNode? node, string field) => node as JsonObject ?? throw Invalid(field, "an object");
}
