// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

/// <summary>
/// A Consul with ACLs on, default deny, and a management token: the test agent, or a real Consul when
/// <c>CONSUL_HTTP_ADDR</c> and a management <c>CONSUL_HTTP_TOKEN</c> are set. The ACL objects a test creates are
/// deleted afterwards, so runs against a real cluster leave nothing behind.
/// </summary>
public sealed class AclSystemTarget : IAsyncDisposable
{
    public const string AgentManagementToken = "f7c1e2a0-3b7d-4f7e-9d4a-2c6b8e1f0a11";

    private readonly List<string> _cleanup = [];

    private AclSystemTarget(ConsulTarget consul, string management)
    {
        Consul = consul;
        Management = management;
    }

    public ConsulTarget Consul { get; }

    public string Management { get; }

    public static async Task<AclSystemTarget> StartAsync()
    {
        if (ConsulTarget.IsReal)
        {
            var token = Environment.GetEnvironmentVariable("CONSUL_HTTP_TOKEN");
            if (string.IsNullOrEmpty(token))
            {
                Assert.Skip("the real Consul needs a management token in CONSUL_HTTP_TOKEN for ACL tests");
            }

            return new AclSystemTarget(await ConsulTarget.StartAsync(), token);
        }

        var options = new ConsulTestAgentOptions { NodeName = "node1" };
        options.Acl.Enabled = true;
        options.Acl.ManagementToken = AgentManagementToken;
        return new AclSystemTarget(await ConsulTarget.StartAgentAsync(options, "ACLs on"), AgentManagementToken);
    }

    /// <summary>Creates a policy and returns its ID.</summary>
    public async Task<string> CreatePolicyAsync(string name, string rules)
    {
        var body = new JsonObject { ["Name"] = name, ["Rules"] = rules }.ToJsonString();
        var reply = await Consul.PutAsync("/v1/acl/policy", body, Management);
        Assert.True(reply.Status == 200, $"policy create failed: {reply.Status} {reply.Text}");
        var id = reply.Json["ID"]!.GetValue<string>();
        _cleanup.Add($"/v1/acl/policy/{id}");
        return id;
    }

    /// <summary>Creates a token from a JSON body and returns (accessor, secret).</summary>
    public async Task<(string Accessor, string Secret)> CreateTokenAsync(JsonObject body)
    {
        var reply = await Consul.PutAsync("/v1/acl/token", body.ToJsonString(), Management);
        Assert.True(reply.Status == 200, $"token create failed: {reply.Status} {reply.Text}");
        var accessor = reply.Json["AccessorID"]!.GetValue<string>();
        _cleanup.Add($"/v1/acl/token/{accessor}");
        return (accessor, reply.Json["SecretID"]!.GetValue<string>());
    }

    /// <summary>Creates a token holding the named policies.</summary>
    public Task<(string Accessor, string Secret)> CreateTokenAsync(params string[] policyNames) =>
        CreateTokenAsync(new JsonObject { ["Policies"] = new JsonArray([.. policyNames.Select(n => (JsonNode)new JsonObject { ["Name"] = n })]) });

    /// <summary>Deletes <paramref name="path"/> with the management token after the test.</summary>
    public void DeleteAfterwards(string path) => _cleanup.Add(path);

    public async ValueTask DisposeAsync()
    {
        foreach (var path in Enumerable.Reverse(_cleanup))
        {
            await Consul.DeleteAsync(path, Management);
        }

        await Consul.DisposeAsync();
    }
}
