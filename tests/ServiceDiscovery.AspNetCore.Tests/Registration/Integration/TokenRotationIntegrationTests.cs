// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Registration.Integration;

/// <summary>
/// The ACL token rotated in <c>Consul:TokenFile</c> while the app runs, the old token revoked at once: the app's
/// deregistration at shutdown still succeeds, with the new token, without a restart.
/// </summary>
public sealed class TokenRotationIntegrationTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly string _directory = Directory.CreateTempSubdirectory("consul-token-rotation-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TokenFileRotated_OldTokenRevoked_DeregistrationSucceeds()
    {
        var options = new ConsulTestAgentOptions();
        options.Acl.Enabled = true;
        options.Acl.ManagementToken = "root";
        var first = Writer("first-secret");
        var second = Writer("second-secret");
        options.Acl.Tokens.Add(first);
        options.Acl.Tokens.Add(second);
        await using var consul = await ConsulTarget.StartAsync(options);
        consul.RequireTestAgent("configures and revokes ACL tokens");
        var tokenFile = Path.Combine(_directory, "token");
        await File.WriteAllTextAsync(tokenFile, first.SecretId + "\n", Ct);

        await using var app = await RegisteredApp.StartAsync(consul, settings: new() { ["Consul:TokenFile"] = tokenFile });
        await consul.WaitUntilAsync(s => s.Has(app.ServiceId), Deadline, "the app is registered with the first token");
        var serviceId = app.ServiceId;

        await File.WriteAllTextAsync(tokenFile, second.SecretId + "\n", Ct);
        File.SetLastWriteTimeUtc(tokenFile, File.GetLastWriteTimeUtc(tokenFile).AddSeconds(5));
        options.Acl.Tokens.Remove(first);
        await app.App.StopAsync(Ct);

        var state = await consul.GetStateAsync(Ct);
        Assert.DoesNotContain(state.Services, s => s.Id == serviceId);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Message.Contains("secret", StringComparison.Ordinal));
    }

    private static ConsulTestAclToken Writer(string secret)
    {
        var token = new ConsulTestAclToken { SecretId = secret };
        foreach (var resource in new[] { ConsulTestAclResource.Service, ConsulTestAclResource.Node, ConsulTestAclResource.Agent })
        {
            token.Rules.Add(new ConsulTestAclRule(resource, string.Empty, ConsulTestAclAccess.Write));
        }

        return token;
    }
}
