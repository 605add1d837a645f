// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// Auth methods (<c>/v1/acl/auth-method[/:name]</c>, <c>/v1/acl/auth-methods</c>) and binding rules
/// (<c>/v1/acl/binding-rule[/:id]</c>, <c>/v1/acl/binding-rules</c>) as stored objects, with Consul's checks on
/// names, types and links. The agent does not verify bearer tokens, so <c>/v1/acl/login</c> answers that it cannot.
/// </summary>
internal static partial class AclAuthMethodEndpoints
{
    private static readonly string[] MethodTypes = ["jwt", "kubernetes", "oidc"];
    private static readonly string[] BindTypes = ["node", "policy", "role", "service", "templated-policy"];

    public static void Map(Router router)
    {
        router.Add("/v1/acl/auth-method", ["PUT"], r => AclEndpoints.GuardAsync(r, r => WriteMethodAsync(r, null)));
        router.Add("/v1/acl/auth-method/", ["GET", "PUT", "DELETE"], r => AclEndpoints.GuardAsync(r, MethodAsync));
        router.Add("/v1/acl/auth-methods", ["GET"], r => AclEndpoints.GuardAsync(r, r => ListAsync(r, methods: true)));
        router.Add("/v1/acl/binding-rule", ["PUT"], r => AclEndpoints.GuardAsync(r, r => WriteRuleAsync(r, null)));
        router.Add("/v1/acl/binding-rule/", ["GET", "PUT", "DELETE"], r => AclEndpoints.GuardAsync(r, RuleAsync));
        router.Add("/v1/acl/binding-rules", ["GET"], r => AclEndpoints.GuardAsync(r, r => ListAsync(r, methods: false)));
        router.Add("/v1/acl/login", ["POST"], r => AclEndpoints.GuardAsync(r, LoginAsync));
        router.Add("/v1/acl/logout", ["POST"], r => AclEndpoints.GuardAsync(r, LogoutAsync));
    }

    private static Task MethodAsync(AgentRequest r) => r.Parameter.Length == 0 && r.Method != "PUT"
        ? Responses.WriteErrorAsync(r.Context, 400, "Missing auth method name")
        : r.Method switch
        {
            "PUT" => WriteMethodAsync(r, r.Parameter),
            "DELETE" => DeleteAsync(r, t => t.AuthMethods, methods: true),
            _ => ReadAsync(r, t => t.AuthMethods, t => t.AuthMethodsIndex),
        };

    private static Task RuleAsync(AgentRequest r) => r.Parameter.Length == 0 && r.Method != "PUT"
        ? Responses.WriteErrorAsync(r.Context, 400, "Missing binding rule ID")
        : r.Method switch
        {
            "PUT" => WriteRuleAsync(r, r.Parameter),
            "DELETE" => DeleteAsync(r, t => t.BindingRules, methods: false),
            _ => ReadAsync(r, t => t.BindingRules, t => t.BindingRulesIndex),
        };

    private static async Task ReadAsync(AgentRequest r, Func<AclTables, SortedDictionary<string, JsonObject>> table, Func<AclTables, ulong> index)
    {
        if (await AclEndpoints.ReadGuardAsync(r).ConfigureAwait(false) is not { } guard)
        {
            return;
        }

        var tables = AclTables.For(r.Store);
        var found = await guard.Blocking.RunAsync(r, () => (index(tables), table(tables).GetValueOrDefault(r.Parameter)?.DeepClone())).ConfigureAwait(false);
        await (found is null
            ? Responses.WriteErrorAsync(r.Context, 403, AclResolver.NotFound)
            : Responses.WriteJsonAsync(r, w => found.WriteTo(w))).ConfigureAwait(false);
    }

    private static async Task ListAsync(AgentRequest r, bool methods)
    {
        if (await AclEndpoints.ReadGuardAsync(r).ConfigureAwait(false) is not { } guard)
        {
            return;
        }

        var method = r.Query.Get("authmethod");
        var tables = AclTables.For(r.Store);
        var list = await guard.Blocking.RunAsync(r, () => methods
            ? (tables.AuthMethodsIndex, tables.AuthMethods.Values.Select(Stub).ToList())
            : (tables.BindingRulesIndex, tables.BindingRules.Values
                .Where(rule => method.Length == 0 || (string?)rule["AuthMethod"] == method).Select(rule => rule.DeepClone()).ToList())).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w => new JsonArray([.. list]).WriteTo(w)).ConfigureAwait(false);
    }

    private static async Task WriteMethodAsync(AgentRequest r, string? name)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Write).ConfigureAwait(false) is null
            || await AclEndpoints.ReadBodyAsync(r, "AuthMethod", ReadMethod).ConfigureAwait(false) is not { } method)
        {
            return;
        }

        var methodName = (string?)method["Name"] ?? string.Empty;
        if (name is not null && methodName.Length > 0 && methodName != name)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "AuthMethod Name in URL and payload do not match").ConfigureAwait(false);
            return;
        }

        methodName = name ?? methodName;
        method["Name"] = methodName;
        var type = (string?)method["Type"] ?? string.Empty;
        var locality = (string?)method["TokenLocality"] ?? string.Empty;
        var error = methodName.Length == 0 ? "Invalid Auth Method: no Name is set"
            : !MethodName().IsMatch(methodName) ? "Invalid Auth Method: invalid Name. Only alphanumeric characters, '-' and '_' are allowed"
            : locality is not ("" or "local" or "global") ? "Invalid Auth Method: TokenLocality should be one of 'local' or 'global'"
            : !MethodTypes.Contains(type) ? $"Invalid Auth Method: Type should be one of: [{string.Join(' ', MethodTypes)}]"
            : null;
        lock (r.Store.Sync)
        {
            var tables = AclTables.For(r.Store);
            if (error is null && tables.AuthMethods.TryGetValue(methodName, out var existing) && (string?)existing["Type"] != type)
            {
                error = "Invalid Auth Method: Type cannot be changed";
            }

            if (error is null)
            {
                Store(r, tables, tables.AuthMethods, methodName, method, i => tables.AuthMethodsIndex = i);
            }
        }

        await WriteResultAsync(r, error, method).ConfigureAwait(false);
    }

    private static async Task WriteRuleAsync(AgentRequest r, string? id)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Write).ConfigureAwait(false) is null
            || await AclEndpoints.ReadBodyAsync(r, "BindingRule", ReadRule).ConfigureAwait(false) is not { } rule)
        {
            return;
        }

        var bodyId = (string?)rule["ID"] ?? string.Empty;
        if ((id is null && bodyId.Length > 0) || (id is not null && bodyId.Length > 0 && bodyId != id))
        {
            var message = id is null ? "Cannot specify the ID when creating a new binding rule" : "BindingRule ID in URL and payload do not match";
            await Responses.WriteErrorAsync(r.Context, 400, message).ConfigureAwait(false);
            return;
        }

        var ruleId = id ?? Guid.NewGuid().ToString();
        rule["ID"] = ruleId;
        string method = (string?)rule["AuthMethod"] ?? string.Empty, bindType = (string?)rule["BindType"] ?? string.Empty;
        var error = method.Length == 0 ? "Invalid Binding Rule: no AuthMethod is set"
            : bindType.Length == 0 ? "Invalid Binding Rule: no BindType is set"
            : !BindTypes.Contains(bindType) ? $"Invalid Binding Rule: unknown BindType \"{bindType}\""
            : ((string?)rule["BindName"] ?? string.Empty).Length == 0 ? "Invalid Binding Rule: no BindName is set"
            : null;
        lock (r.Store.Sync)
        {
            var tables = AclTables.For(r.Store);
            if (error is null && !tables.AuthMethods.ContainsKey(method))
            {
                error = $"cannot find auth method with name \"{method}\"";
            }
            else if (error is null && id is not null && !tables.BindingRules.ContainsKey(id))
            {
                error = $"cannot find binding rule {id}";
            }

            if (error is null)
            {
                Store(r, tables, tables.BindingRules, ruleId, rule, i => tables.BindingRulesIndex = i);
            }
        }

        await WriteResultAsync(r, error, rule).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(AgentRequest r, Func<AclTables, SortedDictionary<string, JsonObject>> table, bool methods)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Write).ConfigureAwait(false) is null)
        {
            return;
        }

        lock (r.Store.Sync)
        {
            var tables = AclTables.For(r.Store);
            if (table(tables).Remove(r.Parameter))
            {
                var index = r.Store.NextIndex();
                if (methods)
                {
                    tables.AuthMethodsIndex = index;
                    foreach (var id in tables.BindingRules.Where(b => (string?)b.Value["AuthMethod"] == r.Parameter).Select(b => b.Key).ToList())
                    {
                        tables.BindingRules.Remove(id);
                        tables.BindingRulesIndex = index;
                    }
                }
                else
                {
                    tables.BindingRulesIndex = index;
                }

                tables.Changed();
                r.Store.Changes.Publish();
            }
        }

        await Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(true)).ConfigureAwait(false);
    }

    /// <summary>The agent cannot verify a JWT or a Kubernetes service account, so it refuses every login it cannot check.</summary>
    private static async Task LoginAsync(AgentRequest r)
    {
        // Values are read inside the callback: the body's document is gone once it returns.
        var methodName = await AclEndpoints.ReadBodyAsync(r, "Failed to decode request body", body =>
            StrictObject.Read(body, "ACLLoginParams", StrictObject.Fields(["AuthMethod"], ["BearerToken"], ["Meta"])).GetString("AuthMethod")).ConfigureAwait(false);
        if (methodName is null)
        {
            return;
        }

        JsonObject? method;
        lock (r.Store.Sync)
        {
            method = AclTables.For(r.Store).AuthMethods.GetValueOrDefault(methodName);
        }

        await (method is null
            ? Responses.WriteErrorAsync(r.Context, 403, AclResolver.NotFound)
            : Responses.WriteErrorAsync(r.Context, 500, $"the Consul test agent does not verify {(string?)method["Type"]} bearer tokens, so it cannot log in with auth method \"{methodName}\"")).ConfigureAwait(false);
    }

    /// <summary>Only tokens created by a login may log out; the agent creates none.</summary>
    private static async Task LogoutAsync(AgentRequest r)
    {
        AclTokenRecord? token;
        lock (r.Store.Sync)
        {
            token = r.Token.Length == 0 ? null : AclTables.For(r.Store).TokenBySecret(r.Token);
        }

        await Responses.WriteErrorAsync(r.Context, 403, token is null ? AclResolver.NotFound : "Permission denied: token wasn't created via login").ConfigureAwait(false);
    }

    private static JsonObject ReadMethod(JsonElement body)
    {
        var o = StrictObject.Read(body, "ACLAuthMethod", StrictObject.Fields(
            ["Name"], ["Type"], ["DisplayName"], ["Description"], ["MaxTokenTTL"], ["TokenLocality"], ["Config"], ["CreateIndex"], ["ModifyIndex"]));
        var method = new JsonObject { ["Name"] = o.GetString("Name"), ["Type"] = o.GetString("Type") };
        foreach (var field in new[] { "DisplayName", "Description", "TokenLocality" })
        {
            if (o.GetString(field) is { Length: > 0 } value)
            {
                method[field] = value;
            }
        }

        if (o.Has("MaxTokenTTL") && o.GetDuration("MaxTokenTTL") is { IsPositive: true } ttl)
        {
            method["MaxTokenTTL"] = ttl.ToString();
        }

        method["Config"] = o.Raw("Config") is { } config ? JsonNode.Parse(config.GetRawText()) : null;
        return method;
    }

    private static JsonObject ReadRule(JsonElement body)
    {
        var o = StrictObject.Read(body, "ACLBindingRule", StrictObject.Fields(
            ["ID"], ["Description"], ["AuthMethod"], ["Selector"], ["BindType"], ["BindName"], ["CreateIndex"], ["ModifyIndex"]));
        return new JsonObject
        {
            ["ID"] = o.GetString("ID"), ["Description"] = o.GetString("Description"), ["AuthMethod"] = o.GetString("AuthMethod"),
            ["Selector"] = o.GetString("Selector"), ["BindType"] = o.GetString("BindType"), ["BindName"] = o.GetString("BindName"),
        };
    }

    private static JsonNode Stub(JsonObject method)
    {
        var stub = (JsonObject)method.DeepClone();
        stub.Remove("Config");
        return stub;
    }

    private static void Store(AgentRequest r, AclTables tables, SortedDictionary<string, JsonObject> table, string key, JsonObject value, Action<ulong> setIndex)
    {
        var index = r.Store.NextIndex();
        value["CreateIndex"] = table.TryGetValue(key, out var existing) ? (ulong?)existing["CreateIndex"] ?? index : index;
        value["ModifyIndex"] = index;
        table[key] = value;
        setIndex(index);
        tables.Changed();
        r.Store.Changes.Publish();
    }

    private static Task WriteResultAsync(AgentRequest r, string? error, JsonObject written) =>
        error is not null
            ? Responses.WriteErrorAsync(r.Context, 500, error)
            : Responses.WriteJsonAsync(r, w =>
            {
                lock (r.Store.Sync)
                {
                    written.WriteTo(w);
                }
            });

    [GeneratedRegex("^[A-Za-z0-9\\-_]{1,128}$")]
    private static partial Regex MethodName();
}
