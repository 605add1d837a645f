// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Tests.Agent;

/// <summary>Argument guards of the public surface, and defaults users rely on.</summary>
public sealed class PublicApiTests
{
    [Fact]
    public async Task NullArguments_ThrowWithParameterName()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("pathPrefix", Assert.Throws<ArgumentNullException>(() => agent.CountRequests(null!)).ParamName);
        Assert.Equal("condition", (await Assert.ThrowsAsync<ArgumentNullException>(
            () => agent.WaitUntilAsync(null!, TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken))).ParamName);
    }

    [Fact]
    public async Task OutOfRangeArguments_Throw()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Throws<ArgumentOutOfRangeException>(() => agent.FailNextRequests(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => agent.Latency = TimeSpan.FromSeconds(-1));
    }

    [Fact]
    public void Options_DefaultsAreConsuls()
    {
        var options = new ConsulTestAgentOptions();
        Assert.Equal(0, options.Port);
        Assert.Equal("dc1", options.Datacenter);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ReapInterval);
        Assert.Equal(TimeSpan.FromMinutes(1), options.DeregisterCriticalServiceMinimum);
        Assert.Equal(TimeSpan.Zero, options.CheckOutputSyncDelay);
        Assert.Same(TimeProvider.System, options.TimeProvider);
        Assert.False(options.Acl.Enabled);
    }

    [Fact]
    public void AclToken_ToString_NeverShowsSecret()
    {
        var token = new ConsulTestAclToken { SecretId = "super-secret" };
        Assert.DoesNotContain("super-secret", token.ToString(), StringComparison.Ordinal);
        Assert.Contains(token.AccessorId, token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitUntilAsync_ConditionNeverHolds_ThrowsTimeout()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        await Assert.ThrowsAsync<TimeoutException>(
            () => agent.WaitUntilAsync(a => a.Services.Count > 0, TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Address_IsLoopbackWithChosenPort()
    {
        await using var agent = await ConsulTestAgent.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("127.0.0.1", agent.Address.Host);
        Assert.NotEqual(0, agent.Port);
        Assert.Equal(agent.Port, agent.Address.Port);
        Assert.True(agent.IsAccepting);
    }
}
