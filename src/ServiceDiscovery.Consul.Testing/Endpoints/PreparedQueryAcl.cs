// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// What a token sees of prepared queries (agent/consul/acl.go <c>filterPreparedQueries</c>,
/// <c>redactPreparedQueryTokens</c>; agent/structs/prepared_query.go <c>GetACLPrefix</c>): a token with
/// <c>acl = "write"</c> sees everything as stored; any other sees a query only if it has a name (or is a template,
/// whose name may be empty) and <c>query:read</c> on that name, and then with its <c>Token</c> as <c>&lt;hidden&gt;</c>.
/// Unnamed queries are meant to be ephemeral: listing drops them without counting them as filtered.
/// </summary>
internal static class PreparedQueryAcl
{
    public const string RedactedToken = "<hidden>";

    /// <summary>What <see cref="Filter"/> decided for one query.</summary>
    public enum Visibility
    {
        /// <summary>The token may read the query (the copy returned is redacted as needed).</summary>
        Visible,

        /// <summary>Named, but the token lacks <c>query:read</c> on the name.</summary>
        Denied,

        /// <summary>Unnamed, and the token does not manage ACLs.</summary>
        Unnamed,
    }

    /// <summary>Whether the query has an ACL prefix (a name, or a template), and which.</summary>
    public static bool TryGetPrefix(JsonObject query, out string prefix)
    {
        prefix = (string?)query["Name"] ?? string.Empty;
        return prefix.Length > 0 || PreparedQueryTemplate.IsTemplate(query);
    }

    /// <summary>Decides one query for <paramref name="authorizer"/>; <paramref name="visible"/> is the copy to return.</summary>
    public static Visibility Filter(Authorizer authorizer, JsonObject query, out JsonObject visible)
    {
        visible = query;
        if (authorizer.IsManagement)
        {
            return Visibility.Visible;
        }

        if (!TryGetPrefix(query, out var prefix))
        {
            return Visibility.Unnamed;
        }

        if (!authorizer.Allows(AclResourceKind.Query, prefix, AclAccessLevel.Read))
        {
            return Visibility.Denied;
        }

        visible = Redacted(authorizer, query);
        return Visibility.Visible;
    }

    /// <summary>The query with a non-empty <c>Token</c> replaced by <c>&lt;hidden&gt;</c>, unless the reader manages ACLs.</summary>
    public static JsonObject Redacted(Authorizer authorizer, JsonObject query)
    {
        if (authorizer.IsManagement || ((string?)query["Token"] ?? string.Empty).Length == 0)
        {
            return query;
        }

        var copy = query.DeepClone().AsObject();
        copy["Token"] = RedactedToken;
        return copy;
    }
}
