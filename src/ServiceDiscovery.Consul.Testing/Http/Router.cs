// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>
/// Go's ServeMux matching (§0): an exact pattern wins, otherwise the longest subtree pattern (ending in
/// <c>/</c>) that prefixes the path; a subtree root named without its slash is redirected to it.
/// </summary>
internal sealed class Router
{
    private readonly Dictionary<string, Route> _exact = new(StringComparer.Ordinal);
    private readonly List<Route> _subtrees = [];

    public void Add(string pattern, string[] methods, Func<AgentRequest, Task> handler)
    {
        var route = new Route(pattern, methods, handler);
        _exact[pattern] = route;
        if (route.IsSubtree)
        {
            _subtrees.Add(route);
            _subtrees.Sort((a, b) => b.Pattern.Length.CompareTo(a.Pattern.Length));
        }
    }

    /// <summary>Finds the route for a clean path, or whether the path is a subtree root missing its slash.</summary>
    public Route? Match(string path, out bool redirectToSubtree)
    {
        redirectToSubtree = false;
        if (_exact.TryGetValue(path, out var route))
        {
            return route;
        }

        if (_exact.TryGetValue(path + "/", out var subtree) && subtree.IsSubtree)
        {
            redirectToSubtree = true;
            return subtree;
        }

        foreach (var candidate in _subtrees)
        {
            if (path.StartsWith(candidate.Pattern, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        return null;
    }
}
