// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>/v1/acl/token</c>, <c>/v1/acl/token/:accessor[/clone]</c>, <c>/v1/acl/token/self</c> and <c>/v1/acl/tokens</c>:
/// reading needs <c>acl:read</c> (secrets shown only with <c>acl:write</c>), writing needs <c>acl:write</c>, and
/// <c>token/self</c> needs only the token itself. A missing token is Consul's 403 <c>ACL not found</c>.
/// </summary>
internal static class AclTokenEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/acl/token", ["PUT"], r => AclEndpoints.GuardAsync(r, r => WriteAsync(r, accessorId: null)));
        router.Add("/v1/acl/token/self", ["GET"], r => AclEndpoints.GuardAsync(r, SelfAsync));
        router.Add("/v1/acl/token/", ["GET", "PUT", "DELETE"], r => AclEndpoints.GuardAsync(r, TokenAsync));
        router.Add("/v1/acl/tokens", ["GET"], r => AclEndpoints.GuardAsync(r, ListAsync));
    }

    private static async Task TokenAsync(AgentRequest r)
    {
        var id = r.Parameter;
        if (r.Method == "PUT" && id.EndsWith("/clone", StringComparison.Ordinal))
        {
            await CloneAsync(r, id[..^6]).ConfigureAwait(false);
            return;
        }

        if (id.Length == 0 && r.Method != "PUT")
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing token ID").ConfigureAwait(false);
            return;
        }

        switch (r.Method)
        {
            case "PUT":
                await WriteAsync(r, id).ConfigureAwait(false);
                return;
            case "DELETE":
                await DeleteAsync(r, id).ConfigureAwait(false);
                return;
        }

        if (await AclEndpoints.ReadGuardAsync(r).ConfigureAwait(false) is not { } guard)
        {
            return;
        }

        var tables = AclTables.For(r.Store);
        var now = r.Options.TimeProvider.GetUtcNow();
        var token = await guard.Blocking.RunAsync(r, () =>
        {
            var found = tables.Tokens.GetValueOrDefault(id);
            return (tables.TokensIndex, found is null || found.IsExpired(now) ? null : found);
        }).ConfigureAwait(false);
        await WriteTokenAsync(r, tables, token, guard.Authorizer.Allows(AclScalarKind.Acl, AclAccessLevel.Write)).ConfigureAwait(false);
    }

    /// <summary>The caller's own token, found by its secret: no permission needed.</summary>
    private static async Task SelfAsync(AgentRequest r)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false))
        {
            return;
        }

        var tables = AclTables.For(r.Store);
        var now = r.Options.TimeProvider.GetUtcNow();
        var token = await blocking.RunAsync(r, () =>
        {
            tables.EnsureSeeded(r.Options.Acl, now);
            var found = r.Token.Length == 0 ? null : tables.TokenBySecret(r.Token);
            return (tables.TokensIndex, found is null || found.IsExpired(now) ? null : found);
        }).ConfigureAwait(false);
        await WriteTokenAsync(r, tables, token, showSecret: true).ConfigureAwait(false);
    }

    private static async Task ListAsync(AgentRequest r)
    {
        if (await AclEndpoints.ReadGuardAsync(r).ConfigureAwait(false) is not { } guard)
        {
            return;
        }

        string policy = r.Query.Get("policy"), role = r.Query.Get("role"), method = r.Query.Get("authmethod");
        var tables = AclTables.For(r.Store);
        var now = r.Options.TimeProvider.GetUtcNow();
        var showSecrets = guard.Authorizer.Allows(AclScalarKind.Acl, AclAccessLevel.Write);
        var tokens = await guard.Blocking.RunAsync(r, () => (tables.TokensIndex, tables.Tokens.Values
            .Where(t => !t.IsExpired(now))
            .Where(t => policy.Length == 0 || t.Policies.Any(p => p.Id == policy))
            .Where(t => role.Length == 0 || t.Roles.Any(l => l.Id == role))
            .Where(t => method.Length == 0 || t.AuthMethod == method)
            .OrderBy(t => t.AccessorId, StringComparer.Ordinal)
            .ToList())).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            lock (r.Store.Sync)
            {
                foreach (var token in tokens)
                {
                    AclWriter.Token(w, tables, token, showSecrets, stub: true);
                }
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static async Task WriteAsync(AgentRequest r, string? accessorId)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Write).ConfigureAwait(false) is null
            || await AclEndpoints.ReadBodyAsync(r, "Token", AclRequestReader.Token).ConfigureAwait(false) is not { } request)
        {
            return;
        }

        if (accessorId is not null)
        {
            if (request.AccessorId.Length > 0 && request.AccessorId != accessorId)
            {
                await Responses.WriteErrorAsync(r.Context, 400, "Token Accessor ID in URL and payload do not match").ConfigureAwait(false);
                return;
            }

            request = request with { AccessorId = accessorId };
        }

        string? error;
        AclTokenRecord? token;
        var tables = AclTables.For(r.Store);
        lock (r.Store.Sync)
        {
            var writer = new AclTokenWriter(r.Store, tables, r.Options.TimeProvider.GetUtcNow());
            error = accessorId is null ? writer.Create(request, out token) : writer.Update(request, out token);
        }

        await WriteResultAsync(r, tables, error, token).ConfigureAwait(false);
    }

    private static async Task CloneAsync(AgentRequest r, string accessorId)
    {
        if (await AclEndpoints.ReadBodyAsync(r, "Token", AclRequestReader.Token).ConfigureAwait(false) is not { } request
            || await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Write).ConfigureAwait(false) is null)
        {
            return;
        }

        string? error;
        AclTokenRecord? token;
        var tables = AclTables.For(r.Store);
        lock (r.Store.Sync)
        {
            error = new AclTokenWriter(r.Store, tables, r.Options.TimeProvider.GetUtcNow()).Clone(accessorId, request.Description, out token);
        }

        await WriteResultAsync(r, tables, error, token).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(AgentRequest r, string accessorId)
    {
        if (await AclEndpoints.RequireAclAsync(r, AclAccessLevel.Write).ConfigureAwait(false) is null)
        {
            return;
        }

        string? error;
        lock (r.Store.Sync)
        {
            error = new AclTokenWriter(r.Store, AclTables.For(r.Store), r.Options.TimeProvider.GetUtcNow()).Delete(accessorId, r.Token);
        }

        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(true)).ConfigureAwait(false);
    }

    private static async Task WriteResultAsync(AgentRequest r, AclTables tables, string? error, AclTokenRecord? token)
    {
        if (error is not null || token is null)
        {
            var status = error == AclResolver.NotFound ? 403 : 500;
            await Responses.WriteErrorAsync(r.Context, status, error ?? AclResolver.NotFound).ConfigureAwait(false);
            return;
        }

        await WriteTokenAsync(r, tables, token, showSecret: true).ConfigureAwait(false);
    }

    private static async Task WriteTokenAsync(AgentRequest r, AclTables tables, AclTokenRecord? token, bool showSecret)
    {
        if (token is null)
        {
            await Responses.WriteErrorAsync(r.Context, 403, AclResolver.NotFound).ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            lock (r.Store.Sync)
            {
                AclWriter.Token(w, tables, token, showSecret);
            }
        }).ConfigureAwait(false);
    }
}
