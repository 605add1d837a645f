// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Http;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>/v1/acl/*</c> (agent/acl_endpoint.go). Every route answers 401 <c>ACL support disabled</c> when ACLs are off,
/// which is how clients probe for ACLs. With ACLs on, <c>token/self</c>, <c>tokens</c>, <c>token/:accessor</c> and
/// <c>policies</c> describe the tokens of <see cref="ConsulTestAgentAclOptions"/> (each token's rules shown as one
/// synthetic policy); managing tokens, policies, roles and auth methods over HTTP is not built (500).
/// </summary>
internal static class AclEndpoints
{
    private const string ManagementPolicyId = "00000000-0000-0000-0000-000000000001";
    private const string ReadOnlyPolicyId = "00000000-0000-0000-0000-000000000002";

    /// <summary>The ACL tables' index: they are written once, while the dev server bootstraps.</summary>
    private const ulong AclIndex = 5;

    public static void Map(Router router)
    {
        string[] get = ["GET"], put = ["PUT"], post = ["POST"], crud = ["GET", "PUT", "DELETE"];
        foreach (var (pattern, methods) in new[]
        {
            ("/v1/acl/bootstrap", put), ("/v1/acl/login", post), ("/v1/acl/logout", post), ("/v1/acl/replication", get),
            ("/v1/acl/policy", put), ("/v1/acl/policy/", crud), ("/v1/acl/policy/name/", get),
            ("/v1/acl/roles", get), ("/v1/acl/role", put), ("/v1/acl/role/name/", get), ("/v1/acl/role/", crud),
            ("/v1/acl/binding-rules", get), ("/v1/acl/binding-rule", put), ("/v1/acl/binding-rule/", crud),
            ("/v1/acl/auth-methods", get), ("/v1/acl/auth-method", put), ("/v1/acl/auth-method/", crud),
            ("/v1/acl/token", put), ("/v1/acl/templated-policies", get), ("/v1/acl/templated-policy/name/", get),
            ("/v1/acl/templated-policy/preview/", post),
        })
        {
            router.Add(pattern, methods, r => GuardAsync(r, NotBuiltAsync));
        }

        router.Add("/v1/acl/policies", get, r => GuardAsync(r, PoliciesAsync));
        router.Add("/v1/acl/tokens", get, r => GuardAsync(r, TokensAsync));
        router.Add("/v1/acl/token/self", get, r => GuardAsync(r, SelfAsync));
        router.Add("/v1/acl/token/", crud, r => GuardAsync(r, TokenAsync));
    }

    private static async Task GuardAsync(AgentRequest r, Func<AgentRequest, Task> handler)
    {
        if (!r.Options.Acl.Enabled)
        {
            await Responses.WriteErrorAsync(r.Context, 401, "ACL support disabled").ConfigureAwait(false);
            return;
        }

        await handler(r).ConfigureAwait(false);
    }

    private static Task NotBuiltAsync(AgentRequest r) =>
        Responses.WriteErrorAsync(r.Context, 500, $"{r.Path} is not supported by the Consul test agent: configure tokens in ConsulTestAgentOptions.Acl");

    /// <summary>Reads the caller's own token by its secret: no ACL needed, 403 <c>ACL not found</c> for an unknown secret.</summary>
    private static async Task SelfAsync(AgentRequest r)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false))
        {
            return;
        }

        var token = AllTokens(r).FirstOrDefault(t => t.Secret == r.Token);
        if (token is null)
        {
            await Responses.WriteErrorAsync(r.Context, 403, "ACL not found").ConfigureAwait(false);
            return;
        }

        await blocking.RunAsync(r, () => (AclIndex, 0)).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w => WriteToken(w, r, token)).ConfigureAwait(false);
    }

    private static async Task TokenAsync(AgentRequest r)
    {
        if (r.Method != "GET")
        {
            await NotBuiltAsync(r).ConfigureAwait(false);
            return;
        }

        if (r.Parameter.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing token ID").ConfigureAwait(false);
            return;
        }

        if (await RequireAclReadAsync(r).ConfigureAwait(false) is not { } blocking)
        {
            return;
        }

        var token = AllTokens(r).FirstOrDefault(t => t.Accessor == r.Parameter);
        if (token is null)
        {
            await Responses.WriteErrorAsync(r.Context, 403, "ACL not found").ConfigureAwait(false);
            return;
        }

        await blocking.RunAsync(r, () => (AclIndex, 0)).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w => WriteToken(w, r, token)).ConfigureAwait(false);
    }

    private static async Task TokensAsync(AgentRequest r)
    {
        if (await RequireAclReadAsync(r).ConfigureAwait(false) is not { } blocking)
        {
            return;
        }

        var policy = r.Query.Get("policy");
        await blocking.RunAsync(r, () => (AclIndex, 0)).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var token in AllTokens(r).Where(t => policy.Length == 0 || t.Policy?.Id == policy).OrderBy(t => t.Accessor, StringComparer.Ordinal))
            {
                WriteToken(w, r, token);
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task PoliciesAsync(AgentRequest r)
    {
        if (await RequireAclReadAsync(r).ConfigureAwait(false) is not { } blocking)
        {
            return;
        }

        var policies = new List<(string Id, string Name, string Description)>
        {
            (ManagementPolicyId, "global-management", "Builtin Policy that grants unlimited access"),
            (ReadOnlyPolicyId, "builtin/global-read-only", "Builtin Policy that grants unlimited read-only access to all components"),
        };
        policies.AddRange(AllTokens(r).Where(t => t.Policy is { Id: not ManagementPolicyId }).Select(t => (t.Policy!.Id, t.Policy.Name,
            $"Rules of the test agent's token {t.Accessor}")));
        await blocking.RunAsync(r, () => (AclIndex, 0)).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var (id, name, description) in policies.OrderBy(p => p.Id, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("ID", id);
                w.WriteString("Name", name);
                w.WriteString("Description", description);
                w.WriteNull("Datacenters");
                w.WriteBase64String("Hash", Hash(id + name));
                w.WriteNumber("CreateIndex", AclIndex);
                w.WriteNumber("ModifyIndex", AclIndex);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    /// <summary>Listing and reading by accessor need <c>acl:read</c>, which only the management token has.</summary>
    private static async Task<BlockingQuery?> RequireAclReadAsync(AgentRequest r)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || !await ReadGuards.CheckEnterpriseParamsAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return null;
        }

        if (!authorizer.IsManagement)
        {
            await Responses.WriteErrorAsync(r.Context, 403, authorizer.DeniedUnnamed("acl:read")).ConfigureAwait(false);
            return null;
        }

        return blocking;
    }

    private static void WriteToken(Utf8JsonWriter w, AgentRequest r, TokenView token)
    {
        w.WriteStartObject();
        w.WriteString("AccessorID", token.Accessor);
        w.WriteString("SecretID", token.Secret);
        w.WriteString("Description", token.Description);
        if (token.Policy is { } policy)
        {
            w.WriteStartArray("Policies");
            w.WriteStartObject();
            w.WriteString("ID", policy.Id);
            w.WriteString("Name", policy.Name);
            w.WriteEndObject();
            w.WriteEndArray();
        }

        w.WriteBoolean("Local", false);
        w.WriteString("CreateTime", ServerClock.GoTime(ServerClock.StartedAt(r)));
        w.WriteBase64String("Hash", Hash(token.Accessor + token.Secret));
        w.WriteNumber("CreateIndex", AclIndex);
        w.WriteNumber("ModifyIndex", AclIndex);
        w.WriteEndObject();
    }

    /// <summary>The anonymous token, the management token (if set) and the configured tokens, as Consul's state store holds them.</summary>
    private static List<TokenView> AllTokens(AgentRequest r)
    {
        var options = r.Options.Acl;
        var tokens = new List<TokenView> { new("00000000-0000-0000-0000-000000000002", "anonymous", "Anonymous Token", null) };
        if (options.ManagementToken is { Length: > 0 } management)
        {
            tokens.Add(new(DerivedId(management), management, "Initial Management Token", new(ManagementPolicyId, "global-management")));
        }

        foreach (var token in options.Tokens)
        {
            var policy = token.Rules.Count == 0 ? null : new PolicyLink(DerivedId("policy:" + token.AccessorId), $"test-agent-token-{token.AccessorId}");
            tokens.Add(new(token.AccessorId, token.SecretId, string.Empty, policy));
        }

        return tokens;
    }

    /// <summary>A stable UUID-shaped identifier derived from <paramref name="seed"/>.</summary>
    private static string DerivedId(string seed)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    private static byte[] Hash(string seed) => SHA256.HashData(Encoding.UTF8.GetBytes(seed));

    private sealed record PolicyLink(string Id, string Name);

    private sealed record TokenView(string Accessor, string Secret, string Description, PolicyLink? Policy);
}
