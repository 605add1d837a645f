// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>/v1/query</c> and <c>/v1/query/:id[/execute|/explain]</c> (agent/prepared_query_endpoint.go): create, list,
/// read (blocking), update and delete prepared queries, and execute them against the health of the catalog
/// (<see cref="PreparedQueryExecutor"/>). Queries are found by ID or exact name; templates are stored but not rendered.
/// Reads show what <see cref="PreparedQueryAcl"/> lets the token see: the list drops the rest
/// (<c>X-Consul-Results-Filtered-By-ACLs</c> for named ones), a read or explain of a hidden named query is 403
/// <c>Permission denied</c>, an unnamed query read by its ID is shown (its token redacted).
/// </summary>
internal static class PreparedQueryEndpoints
{
    private const string NotFound = "Query not found";

    public static void Map(Router router)
    {
        router.Add("/v1/query", ["GET", "POST"], GeneralAsync);
        router.Add("/v1/query/", ["GET", "PUT", "DELETE"], SpecificAsync);
    }

    private static async Task GeneralAsync(AgentRequest r)
    {
        if (r.Method == "POST")
        {
            await WriteAsync(r, id: null).ConfigureAwait(false);
            return;
        }

        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        var table = PreparedQueryStore.For(r.Store);
        var (list, filtered) = await blocking.RunAsync(r, () =>
        {
            var visible = new List<JsonNode>();
            var namedDropped = false;
            foreach (var query in table.Queries.Values)
            {
                switch (PreparedQueryAcl.Filter(authorizer, query, out var shown))
                {
                    case PreparedQueryAcl.Visibility.Visible:
                        visible.Add(shown.DeepClone());
                        break;
                    case PreparedQueryAcl.Visibility.Denied:
                        namedDropped = true;
                        break;
                }
            }

            return (table.Index, (visible, namedDropped));
        }).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w =>
        {
            new JsonArray([.. list]).WriteTo(w);
            FilterParser.MarkFiltered(r, authorizer, filtered);
        }).ConfigureAwait(false);
    }

    private static async Task SpecificAsync(AgentRequest r)
    {
        var path = r.Parameter;
        var (id, action) = path.EndsWith("/execute", StringComparison.Ordinal) ? (path[..^8], "execute")
            : path.EndsWith("/explain", StringComparison.Ordinal) ? (path[..^8], "explain")
            : (path, string.Empty);
        if (action.Length > 0 && r.Method != "GET")
        {
            await Responses.WriteErrorAsync(r.Context, 405, $"method {r.Method} not allowed").ConfigureAwait(false);
            return;
        }

        switch (action, r.Method)
        {
            case ("execute", _):
                await PreparedQueryExecutor.ExecuteAsync(r, id).ConfigureAwait(false);
                return;
            case ("explain", _):
                await ExplainAsync(r, id).ConfigureAwait(false);
                return;
            case (_, "PUT"):
                await WriteAsync(r, id).ConfigureAwait(false);
                return;
            case (_, "DELETE"):
                await DeleteAsync(r, id).ConfigureAwait(false);
                return;
        }

        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking || !await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        var table = PreparedQueryStore.For(r.Store);
        var (query, denied) = await blocking.RunAsync(r, () =>
        {
            if (table.Queries.GetValueOrDefault(id) is not { } found)
            {
                return (table.Index, ((JsonNode?)null, false));
            }

            // A query without an ACL prefix is readable by whoever has its ID; only its token is redacted.
            if (!PreparedQueryAcl.TryGetPrefix(found, out _))
            {
                return (table.Index, (PreparedQueryAcl.Redacted(authorizer, found).DeepClone(), false));
            }

            var visible = PreparedQueryAcl.Filter(authorizer, found, out var shown) == PreparedQueryAcl.Visibility.Visible;
            return (table.Index, (visible ? shown.DeepClone() : null, !visible));
        }).ConfigureAwait(false);
        if (query is null)
        {
            await Responses.WriteErrorAsync(r.Context, denied ? 403 : 404, denied ? Authorizer.PermissionDenied : NotFound).ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w => new JsonArray(query).WriteTo(w)).ConfigureAwait(false);
    }

    private static async Task ExplainAsync(AgentRequest r, string id)
    {
        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false) || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        JsonNode? query;
        try
        {
            lock (r.Store.Sync)
            {
                query = PreparedQueryStore.For(r.Store).Find(id)?.DeepClone();
            }
        }
        catch (InvalidOperationException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 500, ex.Message).ConfigureAwait(false);
            return;
        }

        if (query is null)
        {
            await Responses.WriteErrorAsync(r.Context, 404, NotFound).ConfigureAwait(false);
            return;
        }

        // Explain runs the list filter on the one query: hidden (named or not) is a bare permission denied.
        if (PreparedQueryAcl.Filter(authorizer, query.AsObject(), out var shown) != PreparedQueryAcl.Visibility.Visible)
        {
            await Responses.WriteErrorAsync(r.Context, 403, Authorizer.PermissionDenied).ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w => new JsonObject { ["Query"] = shown }.WriteTo(w)).ConfigureAwait(false);
    }

    /// <summary>POST creates (answers <c>{"ID":...}</c>); PUT replaces an existing query (empty 200).</summary>
    private static async Task WriteAsync(AgentRequest r, string? id)
    {
        JsonObject query;
        try
        {
            using var document = JsonBody.Parse(await r.ReadBodyAsync().ConfigureAwait(false));
            query = PreparedQueryModel.Decode(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonDecodeException or FormatException or InvalidOperationException)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await RequireQueryWriteAsync(r, authorizer, (string?)query["Name"]).ConfigureAwait(false)
            || (id is not null && !await RequireQueryWriteAsync(r, authorizer, ExistingName(r, id)).ConfigureAwait(false)))
        {
            return;
        }

        string? error;
        var newId = id ?? Guid.NewGuid().ToString();
        lock (r.Store.Sync)
        {
            // The server's Apply, in its order: a create names no ID, an update names an existing query, the query
            // parses, then the state store's own checks.
            var table = PreparedQueryStore.For(r.Store);
            error = id is null && ((string?)query["ID"] ?? string.Empty).Length > 0 ? "ID must be empty when creating a new prepared query"
                : id is not null && !table.Queries.ContainsKey(id) ? $"Cannot modify non-existent prepared query: '{id}'"
                : PreparedQueryModel.Validate(query) is { } invalid ? "Invalid prepared query: " + invalid
                : PreparedQueryModel.ValidateAgainstState(query, newId, table.Queries, r.Store) is { } refused ? "raft apply failed: " + refused
                : null;

            if (error is null)
            {
                var index = r.Store.NextIndex();
                query["ID"] = newId;
                query["CreateIndex"] = id is not null ? (ulong)table.Queries[id]["CreateIndex"]! : index;
                query["ModifyIndex"] = index;
                table.Queries[newId] = PreparedQueryModel.Ordered(query);
                table.Index = index;
                r.Store.Changes.Publish();
            }
        }

        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        if (id is not null)
        {
            Responses.WriteEmpty(r.Context);
            return;
        }

        await Responses.WriteJsonAsync(r, w => new JsonObject { ["ID"] = newId }.WriteTo(w)).ConfigureAwait(false);
    }

    private static async Task DeleteAsync(AgentRequest r, string id)
    {
        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await RequireQueryWriteAsync(r, authorizer, ExistingName(r, id)).ConfigureAwait(false))
        {
            return;
        }

        bool removed;
        lock (r.Store.Sync)
        {
            var table = PreparedQueryStore.For(r.Store);
            removed = table.Queries.Remove(id);
            if (removed)
            {
                table.Index = r.Store.NextIndex();
                r.Store.Changes.Publish();
            }
        }

        if (!removed)
        {
            await Responses.WriteErrorAsync(r.Context, 500, $"Cannot delete non-existent prepared query: '{id}'").ConfigureAwait(false);
            return;
        }

        Responses.WriteEmpty(r.Context);
    }

    /// <summary>
    /// A named query needs <c>query:write</c> on its name (structs.PreparedQuery <c>GetACLPrefix</c>); an unnamed one
    /// is governed by its own token, so nothing is checked here.
    /// </summary>
    private static Task<bool> RequireQueryWriteAsync(AgentRequest r, Authorizer authorizer, string? name) =>
        string.IsNullOrEmpty(name) ? Task.FromResult(true) : r.RequireAsync(authorizer, AclResourceKind.Query, name, AclAccessLevel.Write);

    private static string? ExistingName(AgentRequest r, string id)
    {
        lock (r.Store.Sync)
        {
            return (string?)PreparedQueryStore.For(r.Store).Queries.GetValueOrDefault(id)?["Name"];
        }
    }
}
