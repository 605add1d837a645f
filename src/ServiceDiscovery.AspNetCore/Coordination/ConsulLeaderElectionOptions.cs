// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>Settings of one leader election (<c>AddConsulLeaderElection(name, ...)</c>), a named options instance.</summary>
public sealed class ConsulLeaderElectionOptions : ConsulSessionOptions
{
    /// <summary>The KV key the candidates lock. Default <c>service/leader/{name}</c>.</summary>
    public string? Key { get; set; }

    /// <summary>The value the leader writes into the key (for operators: who leads). Default: machine name and process id.</summary>
    public string? Value { get; set; }
}
