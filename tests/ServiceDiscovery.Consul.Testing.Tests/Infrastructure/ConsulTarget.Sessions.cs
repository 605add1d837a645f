// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

/// <summary>Session helpers: sessions created here are destroyed on dispose against a real Consul.</summary>
public sealed partial class ConsulTarget
{
    /// <summary>Creates a session and asserts Consul accepted it; returns its ID.</summary>
    public async Task<string> CreateSessionAsync(string? body = null)
    {
        var reply = await PutAsync("/v1/session/create", body);
        Assert.True(reply.Status == 200, $"session create failed: {reply.Status} {reply.Text}");
        var id = reply.Json["ID"]!.GetValue<string>();
        _sessions.Add(id);
        return id;
    }

    /// <summary>Gets the node name of the agent the target talks to.</summary>
    public async Task<string> NodeNameAsync() =>
        (await GetAsync("/v1/agent/self")).Json["Config"]!["NodeName"]!.GetValue<string>();
}
