// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using ServiceDiscovery.AspNetCore.Tests.Consul.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

/// <summary>
/// The real <see cref="SocketsHttpHandler"/> against an https agent stand-in on loopback whose certificate is issued
/// by a private CA for <c>server.dc1.consul</c> only: CaFile, ServerName, client certificates and skip-verify.
/// </summary>
public sealed class ConsulApiClientTlsTests : IAsyncLifetime
{
    private const string ServerName = "server.dc1.consul";
    private readonly string _directory = Directory.CreateTempSubdirectory("consul-tls-").FullName;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;
    private WebApplication? _server;
    private string _caFile = "";
    private string _clientCertFile = "";
    private string _clientKeyFile = "";
    private string _address = "";

    public async ValueTask InitializeAsync()
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=Consul Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        // Certificates are checked against the real clock, so this one test reads it.
        var notBefore = TimeProvider.System.GetUtcNow().AddDays(-1);
        using var ca = caRequest.CreateSelfSigned(notBefore, notBefore.AddDays(30));

        using var serverCertificate = Issue(ca, "CN=" + ServerName, serverAuth: true, out _);
        using var clientCertificate = Issue(ca, "CN=consul-client", serverAuth: false, out var clientKeyPem);

        _caFile = Write("ca.pem", ca.ExportCertificatePem());
        _clientCertFile = Write("client.pem", clientCertificate.ExportCertificatePem());
        _clientKeyFile = Write("client-key.pem", clientKeyPem);

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = X509CertificateLoader.LoadPkcs12(serverCertificate.Export(X509ContentType.Pkcs12), null),
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (_, _, _) => true,
        })));
        _server = builder.Build();
        _server.MapGet("/v1/status/leader", (HttpContext context) =>
            Results.Text($"\"{context.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false) ?? "anonymous"}\"", "application/json"));
        await _server.StartAsync(_ct);
        _address = _server.Urls.Single();
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task CaFileAndServerName_Connects()
    {
        using var harness = Harness(o =>
        {
            o.Tls.CaFile = _caFile;
            o.Tls.ServerName = ServerName;
        });

        Assert.Equal("anonymous", await harness.Client.GetLeaderAsync(_ct));
    }

    [Fact]
    public async Task CaFileWithoutServerName_NameMismatchIsConnectionFailed()
    {
        using var harness = Harness(o => o.Tls.CaFile = _caFile);

        var error = await Assert.ThrowsAsync<ConsulException>(() => harness.Client.GetLeaderAsync(_ct));

        Assert.Equal(ConsulErrorReason.ConnectionFailed, error.Reason);
    }

    [Fact]
    public async Task CaFileWithOtherServerName_IsConnectionFailed()
    {
        using var harness = Harness(o =>
        {
            o.Tls.CaFile = _caFile;
            o.Tls.ServerName = "server.dc2.consul";
        });

        var error = await Assert.ThrowsAsync<ConsulException>(() => harness.Client.GetLeaderAsync(_ct));

        Assert.Equal(ConsulErrorReason.ConnectionFailed, error.Reason);
    }

    [Fact]
    public async Task NoCaFile_UntrustedIsConnectionFailed()
    {
        using var harness = Harness(o => o.Tls.ServerName = ServerName);

        var error = await Assert.ThrowsAsync<ConsulException>(() => harness.Client.GetLeaderAsync(_ct));

        Assert.Equal(ConsulErrorReason.ConnectionFailed, error.Reason);
    }

    [Fact]
    public async Task InsecureSkipVerify_Connects()
    {
        using var harness = Harness(o => o.Tls.InsecureSkipVerify = true);

        Assert.Equal("anonymous", await harness.Client.GetLeaderAsync(_ct));
    }

    [Fact]
    public async Task ClientCertificate_IsPresented()
    {
        using var harness = Harness(o =>
        {
            o.Tls.CaFile = _caFile;
            o.Tls.ServerName = ServerName;
            o.Tls.ClientCertificateFile = _clientCertFile;
            o.Tls.ClientKeyFile = _clientKeyFile;
        });

        Assert.Equal("consul-client", await harness.Client.GetLeaderAsync(_ct));
    }

    private ConsulClientHarness Harness(Action<ConsulOptions> configure)
        => new(o => { o.Address = _address; configure(o); }, primaryHandler: ConsulClientHarness.RealHandler);

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static X509Certificate2 Issue(X509Certificate2 ca, string subject, bool serverAuth, out string keyPem)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(ServerName);
            request.CertificateExtensions.Add(names.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(8);
        using var issued = request.Create(ca, ca.NotBefore.AddMinutes(1), ca.NotAfter.AddMinutes(-1), serial);
        keyPem = key.ExportPkcs8PrivateKeyPem();
        return issued.CopyWithPrivateKey(key);
    }
}
