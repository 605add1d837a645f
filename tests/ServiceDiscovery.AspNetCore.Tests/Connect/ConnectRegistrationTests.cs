// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Tests.Registration.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>What a Connect-native app registers: the mTLS endpoint as the service, the plain-HTTP one for the check.</summary>
public sealed class ConnectRegistrationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ConnectEnabled_RegistersHttpsEndpointAsNative_AndChecksOverPlainHttp()
    {
        await using var harness = new RegistrationHarness(o => o.Connect.Enabled = true, boundAddresses: ["http://10.0.0.5:5000", "https://10.0.0.5:8443"]);

        await harness.Service.StartedAsync(Ct);
        await harness.WaitForLogAsync("ConsulServiceRegistered");

        var body = Assert.Single(harness.Client.Registrations);
        Assert.Equal(8443, body.Port);
        Assert.Equal("https", body.Meta!["scheme"]);
        Assert.True(body.Connect!.Native);
        Assert.Equal("http://10.0.0.5:5000/health", body.Check!.HTTP);
    }

    [Fact]
    public async Task ClientOnly_RegistersAsAPlainService_WithoutNeedingAnHttpsAddress()
    {
        // A gateway: it calls Connect services with its own leaf, but serves plain HTTP and is not Connect-native.
        await using var harness = new RegistrationHarness(o => { o.Connect.Enabled = true; o.Connect.ClientOnly = true; o.Registration.FailFast = true; }, boundAddresses: ["http://10.0.0.5:5000"]);

        await harness.Service.StartedAsync(Ct);
        await harness.WaitForLogAsync("ConsulServiceRegistered");

        var body = Assert.Single(harness.Client.Registrations);
        Assert.Equal(5000, body.Port);
        Assert.Null(body.Connect);
        Assert.Equal("http://10.0.0.5:5000/health", body.Check!.HTTP);
    }

    [Fact]
    public async Task ConnectDisabled_RegistersNoConnectBlock()
    {
        await using var harness = new RegistrationHarness(boundAddresses: ["http://10.0.0.5:5000", "https://10.0.0.5:8443"]);

        await harness.Service.StartedAsync(Ct);
        await harness.WaitForLogAsync("ConsulServiceRegistered");

        Assert.Null(Assert.Single(harness.Client.Registrations).Connect);
    }

    [Fact]
    public async Task ConnectEnabled_NoHttpsAddress_NamesTheSettingAndTheFix()
    {
        await using var harness = new RegistrationHarness(o => { o.Connect.Enabled = true; o.Registration.FailFast = true; }, boundAddresses: ["http://10.0.0.5:5000"]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Service.StartedAsync(Ct));

        Assert.Contains("Consul:Connect:Enabled is true", error.Message, StringComparison.Ordinal);
        Assert.Contains("https://", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectEnabled_HttpCheckWithoutPlainHttpAddress_SuggestsTtl()
    {
        await using var harness = new RegistrationHarness(o => { o.Connect.Enabled = true; o.Registration.FailFast = true; }, boundAddresses: ["https://10.0.0.5:8443"]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Service.StartedAsync(Ct));

        Assert.Contains("Consul:Check:Kind to Ttl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectEnabled_TtlCheck_NeedsNoPlainHttpAddress()
    {
        await using var harness = new RegistrationHarness(o => { o.Connect.Enabled = true; o.Check.Kind = ConsulCheckKind.Ttl; }, boundAddresses: ["https://10.0.0.5:8443"]);

        await harness.Service.StartedAsync(Ct);
        await harness.WaitForLogAsync("ConsulServiceRegistered");

        var body = Assert.Single(harness.Client.Registrations);
        Assert.Equal(8443, body.Port);
        Assert.True(body.Connect!.Native);
    }
}
