// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>One registered pattern: exact, or a subtree when it ends with <c>/</c> (Go ServeMux).</summary>
internal sealed record Route(string Pattern, IReadOnlyList<string> Methods, Func<AgentRequest, Task> Handler)
{
    public bool IsSubtree => Pattern.EndsWith('/');

    /// <summary>Gets the <c>Allow</c> header value: OPTIONS first, then the methods in registration order.</summary>
    public string Allow { get; } = string.Join(',', Methods.Prepend("OPTIONS"));
}
