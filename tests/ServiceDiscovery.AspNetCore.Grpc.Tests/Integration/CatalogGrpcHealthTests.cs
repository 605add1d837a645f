// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CatalogGrpc;
using Grpc.Core;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServiceDiscovery.AspNetCore.Grpc.Tests.Integration;

/// <summary>
/// The sample registered with <c>Consul:Check:Kind: Grpc</c>: Consul's gRPC check (the test agent's, or a real Consul's)
/// calls its <c>grpc.health.v1.Health</c> service, which reports the app's health checks; over h2c and over TLS.
/// </summary>
public sealed class CatalogGrpcHealthTests : CatalogGrpcFleetTests
{
    [Fact]
    public async Task GrpcCheck_AppHealthChanges_ConsulFollowsUnhealthyAsCriticalAndDegradedAsPassing()
    {
        var instance = await Fleet.StartAsync();

        var state = await Consul.GetStateAsync(Ct);
        var service = Assert.Single(state.Services, s => s.Id == instance.Id);
        Assert.Equal("h2c", service.Meta["scheme"]);
        var check = Assert.Single(state.Checks, c => c.CheckId == "service:" + instance.Id);
        Assert.Equal("grpc", check.Type);

        instance.Health.Current = HealthStatus.Unhealthy;
        await Consul.WaitUntilAsync(s => s.CheckStatus(instance.Id) == "critical", Deadline, "Unhealthy answers NOT_SERVING: critical");
        Assert.Contains("NOT_SERVING", (await Consul.GetStateAsync(Ct)).Checks.Single(c => c.CheckId == "service:" + instance.Id).Output, StringComparison.Ordinal);

        instance.Health.Current = HealthStatus.Degraded;
        await Consul.WaitUntilAsync(s => s.CheckStatus(instance.Id) == "passing", Deadline, "Degraded answers SERVING: passing");
    }

    [Fact]
    public async Task GrpcCheck_GrpcServiceNamed_ConsulAsksForThatServiceAndItReportsTheAppChecks()
    {
        var instance = await Fleet.StartAsync(settings: new Dictionary<string, string?> { ["Consul:Check:GrpcService"] = "catalog.v1.Catalog" });

        var check = Assert.Single((await Consul.GetStateAsync(Ct)).Checks, c => c.CheckId == "service:" + instance.Id);
        Assert.EndsWith("/catalog.v1.Catalog: success", check.Output, StringComparison.Ordinal);

        instance.Health.Current = HealthStatus.Unhealthy;
        await Consul.WaitUntilAsync(s => s.CheckStatus(instance.Id) == "critical", Deadline, "the named service reports the app's health too");
    }

    [Fact]
    public async Task Tls_InstanceOnHttps_GrpcCheckUsesTlsAndATlsChannelCallsIt()
    {
        using var certificate = SelfSigned();
        var instance = await Fleet.StartAsync(certificate);

        Assert.Equal("https", Assert.Single((await Consul.GetStateAsync(Ct)).Services, s => s.Id == instance.Id).Meta["scheme"]);

        // Connect-native mTLS would hand its own SslClientAuthenticationOptions here: the channel only needs a handler.
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == certificate.GetCertHashString(),
            },
        };
        using var channel = Fleet.Channel(ChannelCredentials.SecureSsl, handler);
        var item = await new Catalog.CatalogClient(channel).GetItemAsync(new GetItemRequest { Id = 1 }, cancellationToken: Ct);
        Assert.Equal(instance.Id, item.InstanceId);

        using var plaintext = Fleet.Channel(ChannelCredentials.Insecure);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await new Catalog.CatalogClient(plaintext).GetItemAsync(new GetItemRequest { Id = 1 }, cancellationToken: Ct));
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("none serving a scheme this channel speaks", error.Status.Detail, StringComparison.Ordinal);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(TimeProvider.System.GetUtcNow().AddMinutes(-5), TimeProvider.System.GetUtcNow().AddHours(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
