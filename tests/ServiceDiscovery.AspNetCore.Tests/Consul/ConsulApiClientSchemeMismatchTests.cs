// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Tests.Consul.Fakes;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

/// <summary>An <c>https://</c> address pointed at an agent that speaks plain HTTP gets a hint, not "check that the agent is running".</summary>
public sealed class ConsulApiClientSchemeMismatchTests
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task HttpsAddressAtPlainHttpAgent_HintsAtTheScheme()
    {
        await using var target = await ConsulTarget.StartAsync();
        Assert.SkipWhen(target.Address.Scheme == Uri.UriSchemeHttps, "CONSUL_HTTP_ADDR is an https agent: no plain-HTTP agent to point https at.");
        var httpsAddress = new UriBuilder(target.Address) { Scheme = Uri.UriSchemeHttps }.Uri;
        using var harness = new ConsulClientHarness(o => o.Address = httpsAddress.ToString(), primaryHandler: ConsulClientHarness.RealHandler);

        var error = await Assert.ThrowsAsync<ConsulException>(() => harness.Client.GetLeaderAsync(_ct));

        Assert.Equal(ConsulErrorReason.ConnectionFailed, error.Reason);
        Assert.StartsWith("TLS: the agent answered plain HTTP: use http:// or enable TLS on the agent", error.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }
}
