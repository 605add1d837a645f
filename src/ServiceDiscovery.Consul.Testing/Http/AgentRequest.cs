// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Http;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Federation;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>One API request as a Consul handler sees it: decoded path, its parameter, Go-parsed query, token.</summary>
internal sealed class AgentRequest
{
    private StateStore _store = null!;
    private string? _forwardedTo;

    public required HttpContext Context { get; init; }

    /// <summary>
    /// Gets the state store of the datacenter that answers: the catalog, KV and the index blocking queries wait on.
    /// It is the agent's own until <see cref="ForwardTo"/> sends the request over the WAN.
    /// </summary>
    public required StateStore Store
    {
        get => _store;
        init => _store = value;
    }

    /// <summary>Gets the WAN the agent's datacenter is federated over; null for a lone datacenter.</summary>
    public WanFederation? Wan { get; init; }

    /// <summary>Gets the name of the datacenter that answers: the agent's own, or the one the request was forwarded to.</summary>
    public string Datacenter => _forwardedTo ?? Options.Datacenter;

    /// <summary>Gets the state of the agent that received the request: its node, services and checks.</summary>
    public required LocalAgentState Local { get; init; }

    public required ConsulTestAgentOptions Options { get; init; }

    /// <summary>Gets the agent-process state: log stream, agent tokens, leave hook.</summary>
    public required AgentControl Control { get; init; }

    public required AclResolver Acl { get; init; }

    /// <summary>Gets the decoded path (Go's <c>URL.Path</c>).</summary>
    public required string Path { get; init; }

    /// <summary>Gets the path after the route's pattern (<c>strings.TrimPrefix</c>).</summary>
    public required string Parameter { get; init; }

    public required GoQuery Query { get; init; }

    /// <summary>Gets the token by Consul's precedence: <c>?token=</c>, <c>X-Consul-Token</c>, then <c>Authorization: Bearer</c>.</summary>
    public required string Token { get; init; }

    /// <summary>Gets a token that ends when the agent stops or restarts, or the client goes away.</summary>
    public required CancellationToken Aborted { get; init; }

    public string Method => Context.Request.Method;

    /// <summary>Sends the rest of the request to <paramref name="datacenter"/>'s servers: from now on it reads and writes their state.</summary>
    public void ForwardTo(WanDatacenter datacenter)
    {
        _store = datacenter.Store;
        _forwardedTo = datacenter.Name;
    }

    public HttpResponse Response => Context.Response;

    /// <summary>Resolves the token; writes 403 <c>ACL not found</c> and returns null for an unknown one.</summary>
    public async Task<Authorizer?> AuthorizeAsync()
    {
        var authorizer = Acl.Resolve(Token);
        if (authorizer is null)
        {
            await Responses.WriteErrorAsync(Context, StatusCodes.Status403Forbidden, AclResolver.NotFound).ConfigureAwait(false);
        }

        return authorizer;
    }

    /// <summary>Checks one permission; writes Consul's 403 text and returns false when denied.</summary>
    public async Task<bool> RequireAsync(Authorizer authorizer, ConsulTestAclResource resource, string name, ConsulTestAclAccess level)
    {
        if (authorizer.Allows(resource, name, level))
        {
            return true;
        }

        await Responses.WriteErrorAsync(Context, StatusCodes.Status403Forbidden, authorizer.DeniedMessage(resource, name, level)).ConfigureAwait(false);
        return false;
    }

    /// <summary>Reads the whole request body.</summary>
    public async Task<byte[]> ReadBodyAsync()
    {
        using var buffer = new MemoryStream();
        await Context.Request.Body.CopyToAsync(buffer, Aborted).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
