// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>/v1/acl/*</c> (agent/acl_endpoint.go): the routes, the checks every ACL route shares, bootstrap and
/// replication status. Every route answers 401 <c>ACL support disabled</c> when ACLs are off, which is how clients
/// probe for ACLs. Tokens, policies and roles live in <see cref="AclTokenEndpoints"/> and <see cref="AclPolicyEndpoints"/>;
/// auth methods and binding rules in <see cref="AclAuthMethodEndpoints"/>.
/// </summary>
internal static class AclEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/acl/bootstrap", ["PUT"], r => GuardAsync(r, BootstrapAsync));
        router.Add("/v1/acl/replication", ["GET"], r => GuardAsync(r, ReplicationAsync));
        AclTokenEndpoints.Map(router);
        AclPolicyEndpoints.Map(router);
        AclAuthMethodEndpoints.Map(router);
    }

    /// <summary>Runs <paramref name="handler"/> only when ACLs are on.</summary>
    public static async Task GuardAsync(AgentRequest r, Func<AgentRequest, Task> handler)
    {
        if (!r.Options.Acl.Enabled)
        {
            await Responses.WriteErrorAsync(r.Context, 401, "ACL support disabled").ConfigureAwait(false);
            return;
        }

        await handler(r).ConfigureAwait(false);
    }

    /// <summary>Resolves the token and checks <c>acl:read</c> or <c>acl:write</c>; writes Consul's 403 and returns null when denied.</summary>
    public static async Task<Authorizer?> RequireAclAsync(AgentRequest r, AclAccessLevel level)
    {
        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return null;
        }

        if (!authorizer.Allows(AclScalarKind.Acl, level))
        {
            await Responses.WriteErrorAsync(r.Context, 403, authorizer.DeniedUnnamed($"acl:{level.Text()}")).ConfigureAwait(false);
            return null;
        }

        return authorizer;
    }

    /// <summary>The blocking-query and datacenter checks of an ACL read, then <c>acl:read</c>.</summary>
    public static async Task<(BlockingQuery Blocking, Authorizer Authorizer)?> ReadGuardAsync(AgentRequest r)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || !await ReadGuards.CheckEnterpriseParamsAsync(r).ConfigureAwait(false)
            || await RequireAclAsync(r, AclAccessLevel.Read).ConfigureAwait(false) is not { } authorizer)
        {
            return null;
        }

        return (blocking, authorizer);
    }

    /// <summary>Reads a JSON body with <paramref name="read"/>; writes 400 <c>{what} decoding failed: ...</c> and returns null when it cannot.</summary>
    public static async Task<T?> ReadBodyAsync<T>(AgentRequest r, string what, Func<JsonElement, T> read)
        where T : class
    {
        try
        {
            using var document = JsonBody.Parse(await r.ReadBodyAsync().ConfigureAwait(false));
            return read(document.RootElement);
        }
        catch (JsonDecodeException e)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"{what} decoding failed: {e.Message}").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Creates the first management token, once (agent/consul/acl_endpoint.go <c>BootstrapTokens</c>). An optional body
    /// <c>{"BootstrapSecret": "..."}</c> chooses its secret. Once bootstrapped (or with an initial management token
    /// configured), Consul's 403 names the reset index.
    /// </summary>
    private static async Task BootstrapAsync(AgentRequest r)
    {
        var secret = string.Empty;
        var body = await r.ReadBodyAsync().ConfigureAwait(false);
        if (body.Any(b => !char.IsWhiteSpace((char)b)))
        {
            try
            {
                using var document = JsonBody.Parse(body);
                var fields = StrictObject.Read(document.RootElement, "ACLInitialTokenBootstrapParams", StrictObject.Fields(["BootstrapSecret"]));
                secret = fields.GetString("BootstrapSecret");
            }
            catch (JsonDecodeException e)
            {
                await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {e.Message}").ConfigureAwait(false);
                return;
            }
        }

        string? error;
        AclTokenRecord? token = null;
        AclTables tables;
        lock (r.Store.Sync)
        {
            tables = AclTables.For(r.Store);
            tables.EnsureSeeded(r.Options.Acl, r.Options.TimeProvider.GetUtcNow());
            if (tables.BootstrapIndex != 0)
            {
                error = $"Permission denied: ACL bootstrap no longer allowed (reset index: {tables.BootstrapIndex})";
            }
            else
            {
                var writer = new AclTokenWriter(r.Store, tables, r.Options.TimeProvider.GetUtcNow());
                var request = new AclTokenRequest(string.Empty, secret, "Bootstrap Token (Global Management)",
                    [new AclLinkRequest(BuiltInPolicies.GlobalManagementId, string.Empty)], [], [], [], [], false, string.Empty, null, default);
                error = writer.Create(request, out token);
                if (token is not null)
                {
                    tables.BootstrapIndex = token.CreateIndex;
                }
            }
        }

        if (error is not null || token is null)
        {
            var status = error?.StartsWith("Permission denied", StringComparison.Ordinal) == true ? 403 : 500;
            await Responses.WriteErrorAsync(r.Context, status, error ?? "bootstrap failed").ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            // The response is the token with the legacy "ID" field (its secret) first, as aclBootstrapResponse embeds it.
            using var buffer = new MemoryStream();
            using (var inner = new Utf8JsonWriter(buffer))
            {
                lock (r.Store.Sync)
                {
                    AclWriter.Token(inner, tables, token, showSecret: true);
                }
            }

            using var document = JsonDocument.Parse(buffer.ToArray());
            w.WriteStartObject();
            w.WriteString("ID", token.SecretId);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                property.WriteTo(w);
            }

            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>A single-datacenter cluster replicates nothing; the status needs no token (agent/consul/acl_endpoint.go <c>ReplicationStatus</c>).</summary>
    private static async Task ReplicationAsync(AgentRequest r)
    {
        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false))
        {
            return;
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteBoolean("Enabled", false);
            w.WriteBoolean("Running", false);
            w.WriteString("SourceDatacenter", string.Empty);
            w.WriteString("ReplicationType", string.Empty);
            w.WriteNumber("ReplicatedIndex", 0);
            w.WriteNumber("ReplicatedRoleIndex", 0);
            w.WriteNumber("ReplicatedTokenIndex", 0);
            w.WriteString("LastSuccess", "0001-01-01T00:00:00Z");
            w.WriteString("LastError", "0001-01-01T00:00:00Z");
            w.WriteString("LastErrorMessage", string.Empty);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
