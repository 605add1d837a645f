// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>The prepared-query table of one datacenter (kept beside its <see cref="StateStore"/>; guarded by its lock).</summary>
internal sealed class PreparedQueryStore
{
    private static readonly ConditionalWeakTable<StateStore, PreparedQueryStore> Stores = new();

    public SortedDictionary<string, JsonObject> Queries { get; } = new(StringComparer.Ordinal);

    public ulong Index { get; set; }

    public static PreparedQueryStore For(StateStore store) => Stores.GetValue(store, _ => new PreparedQueryStore());

    /// <summary>
    /// state/prepared_query.go <c>PreparedQueryResolve</c>: by ID (a template only by name), else the query whose name is
    /// the longest prefix of <paramref name="idOrName"/>, kept when its name is the whole of it or it is a template
    /// (whose empty name catches every name). A template comes back rendered for <paramref name="idOrName"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A template was named by its ID.</exception>
    public JsonObject? Find(string idOrName)
    {
        if (Queries.TryGetValue(idOrName, out var byId))
        {
            return PreparedQueryTemplate.IsTemplate(byId)
                ? throw new InvalidOperationException("prepared query templates can only be resolved up by name, not by ID")
                : byId;
        }

        if (idOrName.Length == 0)
        {
            return null;
        }

        var longest = Queries.Values
            .Where(q => idOrName.StartsWith((string?)q["Name"] ?? string.Empty, StringComparison.Ordinal))
            .MaxBy(q => ((string?)q["Name"] ?? string.Empty).Length);
        return longest is null ? null
            : PreparedQueryTemplate.IsTemplate(longest) ? PreparedQueryTemplate.Render(longest, idOrName)
            : (string?)longest["Name"] == idOrName ? longest
            : null;
    }
}
