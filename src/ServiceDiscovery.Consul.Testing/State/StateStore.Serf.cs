// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The datacenter's LAN gossip pool as serf reports it to every agent: each agent's node with its role and its
/// serf status (<c>alive</c> 1, <c>left</c> 3, <c>failed</c> 4). A member that fails or is force-left stays in the
/// list with that status (serf keeps it until it is reaped). Callers hold <see cref="Sync"/>.
/// </summary>
internal sealed partial class StateStore
{
    /// <summary>serf's <c>StatusAlive</c>.</summary>
    public const int MemberAlive = 1;

    /// <summary>serf's <c>StatusLeft</c>.</summary>
    public const int MemberLeft = 3;

    /// <summary>serf's <c>StatusFailed</c>.</summary>
    public const int MemberFailed = 4;

    private readonly List<SerfMember> _members = [];

    /// <summary>Gets the LAN pool's members in join order, the server first.</summary>
    public IReadOnlyList<SerfMember> Members
    {
        get
        {
            if (_members.Count == 0)
            {
                _members.Add(new SerfMember(ServerNode.Node, IsServer: true) { Status = MemberAlive });
            }

            return _members;
        }
    }

    /// <summary>Gets a value indicating whether <paramref name="nodeName"/> is the datacenter's server.</summary>
    public bool IsServer(string nodeName) => IsServerNode(nodeName);

    /// <summary>Sets a member's serf status, adding it (as a client) when it is new.</summary>
    private void SetMemberStatus(NodeInfo node, int status)
    {
        var member = Members.FirstOrDefault(m => m.Node.Name == node.Name);
        if (member is null)
        {
            _members.Add(new SerfMember(node, IsServer: false) { Status = status });
            return;
        }

        member.Status = status;
    }

    private void SetMemberStatus(string nodeName, int status)
    {
        if (Members.FirstOrDefault(m => m.Node.Name == nodeName) is { } member)
        {
            member.Status = status;
        }
    }
}

/// <summary>One member of the LAN pool: its node, whether it is a server, and its serf status.</summary>
internal sealed record SerfMember(NodeInfo Node, bool IsServer)
{
    /// <summary>Gets or sets the serf status: 1 alive, 3 left, 4 failed.</summary>
    public int Status { get; set; }
}
