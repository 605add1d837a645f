// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>Differences other clients' test suites found against a real Consul, each pinned to Consul's source.</summary>
public sealed class ClientSuiteDifferencesConformanceTests
{
    [Fact]
    public async Task Root_AnswersLikeAnAgentWithoutItsUi_SoAnHttpCheckOnItPasses()
    {
        await using var consul = await ConsulTarget.StartAsync();
        consul.RequireAgent("a real agent may have its UI enabled and redirect to /ui/");

        var root = await consul.GetAsync("/");

        Assert.Equal((200, "Consul Agent: UI disabled. To enable, set ui_config.enabled=true in the agent configuration and restart."), (root.Status, root.Text));
    }

    [Fact]
    public async Task PathOutsideV1_Is404WithConsulsHint()
    {
        await using var consul = await ConsulTarget.StartAsync();

        var reply = await consul.GetAsync("/kv/x");

        Assert.Equal(404, reply.Status);
        Assert.Equal("Invalid URL path: if attempting to use the HTTP API, ensure the path starts with '/v1/'", reply.Text.TrimEnd('\n'));
    }

    [Fact]
    public async Task CheckRegister_NamingAMissingService_Is404()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var id = consul.Name("ghost");

        var reply = await consul.PutAsync("/v1/agent/check/register", $$"""{"Name":"c","TTL":"10s","ServiceID":"{{id}}"}""");

        Assert.Equal((404, $"ServiceID \"{id}\" does not exist"), (reply.Status, reply.Text));
    }

    [Theory]
    [InlineData("/v1/health/service/consul?peer=nowhere")]
    [InlineData("/v1/catalog/service/consul?peer=nowhere")]
    [InlineData("/v1/catalog/nodes?peer=nowhere")]
    public async Task UnknownPeer_GivesAnEmptyAnswer(string path)
    {
        await using var consul = await ConsulTarget.StartAsync();

        var reply = await consul.GetAsync(path);

        Assert.Equal((200, "[]"), (reply.Status, reply.Text.Trim()));
        Assert.NotEqual("[]", (await consul.GetAsync(path.Split('?')[0])).Text.Trim());
    }
}
