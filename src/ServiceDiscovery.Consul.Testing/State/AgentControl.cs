// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The agent-process parts of a running agent (not its catalog): its log for <c>/v1/agent/monitor</c>, the ACL
/// tokens set through <c>/v1/agent/token/*</c> (in memory, as without <c>enable_token_persistence</c>), and what a
/// <c>/v1/agent/leave</c> does to the agent.
/// </summary>
internal sealed class AgentControl(AgentLogMonitor log)
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    public AgentLogMonitor Log { get; } = log;

    /// <summary>Gets or sets what happens after <c>/v1/agent/leave</c> has answered: the agent stops listening.</summary>
    public Func<Task>? Leave { get; set; }

    /// <summary>Gets the agent's <c>default</c> token, used for requests that carry none.</summary>
    public string DefaultToken => GetToken("default");

    public string GetToken(string kind)
    {
        lock (_sync)
        {
            return _tokens.GetValueOrDefault(kind, string.Empty);
        }
    }

    public void SetToken(string kind, string secret)
    {
        lock (_sync)
        {
            _tokens[kind] = secret;
        }
    }
}
