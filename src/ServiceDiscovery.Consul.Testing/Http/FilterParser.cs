// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Filtering;

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>The <c>?filter=</c> parameter: parsed up front, a bad one answered as Consul does (500).</summary>
internal static class FilterParser
{
    public static async Task<FilterExpression?> ParseAsync(AgentRequest r, Func<IReadOnlyList<string>, bool> isValid)
    {
        var text = r.Query.Get("filter");
        if (text.Length == 0)
        {
            return ForPeer(r, FilterExpression.All);
        }

        try
        {
            return ForPeer(r, FilterExpression.Parse(text, isValid));
        }
        catch (FilterSyntaxException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 500, $"Failed to create boolean expression evaluator: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// Catalog and health reads for a cluster peer (<c>?peer=</c>) read the peer's imported data; the agent has no
    /// peers, so, as Consul CE does for a peer it does not know, the answer is empty.
    /// </summary>
    private static FilterExpression ForPeer(AgentRequest r, FilterExpression expression) =>
        r.Query.Get("peer").Length > 0 && (r.Path.StartsWith("/v1/catalog/", StringComparison.Ordinal) || r.Path.StartsWith("/v1/health/", StringComparison.Ordinal))
            ? FilterExpression.None
            : expression;

    /// <summary>Consul says a list was cut by ACLs only when the request carried a token.</summary>
    public static void MarkFiltered(AgentRequest r, Authorizer authorizer, bool filtered)
    {
        if (filtered && authorizer.HasToken)
        {
            r.Response.Headers["X-Consul-Results-Filtered-By-ACLs"] = "true";
        }
    }
}
