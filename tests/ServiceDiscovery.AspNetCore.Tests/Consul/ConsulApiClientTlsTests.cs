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
    private WebApplication? _strictServer;
    private string _strictAddress = "";

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

        _server = await StartServerAsync(serverCertificate, ClientCertificateMode.AllowCertificate);
        _address = _server.Urls.Single();

        // An agent with verify_incoming that trusts none of this test's client certificates.
        _strictServer = await StartServerAsync(serverCertificate, ClientCertificateMode.RequireCertificate, acceptClientCertificates: false);
        _strictAddress = _strictServer.Urls.Single();
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_strictServer is not null)
        {
            await _strictServer.DisposeAsync();
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
        Assert.StartsWith("TLS: certificate name mismatch: expected '127.0.0.1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'server.dc1.consul'", error.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(error.InnerException);
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
        Assert.StartsWith("TLS: certificate name mismatch: expected 'server.dc2.consul' (Consul:Tls:ServerName)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("rejected by the provided callback", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCaFile_UntrustedIsConnectionFailed()
    {
        using var harness = Harness(o => o.Tls.ServerName = ServerName);

        var error = await Assert.ThrowsAsync<ConsulException>(() => harness.Client.GetLeaderAsync(_ct));

        Assert.Equal(ConsulErrorReason.ConnectionFailed, error.Reason);
        Assert.StartsWith("TLS: untrusted root: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("the system trust store", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task OtherCaFile_UntrustedRootNamesTheCaFile()
    {
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherRequest = new CertificateRequest("CN=Other CA", otherKey, HashAlgorithmName.SHA256);
        otherRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var notBefore = TimeProvider.System.GetUtcNow().AddDays(-1);
        using var other = otherRequest.CreateSelfSigned(notBefore, notBefore.AddDays(30));
        var otherCaFile = Write("other-ca.pem", other.ExportCertificatePem());
        using var harness = Harness(o =>
        {
            o.Tls.CaFile = otherCaFile;
            o.Tls.ServerName = ServerName;
        });

        var error = await Assert.ThrowsAsync<ConsulException>(() => harness.Client.GetLeaderAsync(_ct));

        Assert.StartsWith("TLS: untrusted root: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(otherCaFile, error.Message, StringComparison.Ordinal);
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

    [Fact]
    public async Task AgentRequiringClientCertificate_WithoutOne_SaysSo()
    {
        using var harness = Harness(o =>
        {
            o.Address = _strictAddress;
            o.Tls.CaFile = _caFile;
            o.Tls.ServerName = ServerName;
        });

        var error = await Assert.ThrowsAsync<ConsulException>(() => harness.Client.GetLeaderAsync(_ct));

        Assert.Equal(ConsulErrorReason.ConnectionFailed, error.Reason);
        Assert.StartsWith("TLS: the agent closed the connection after the handshake", error.Message, StringComparison.Ordinal);
        Assert.Contains("Consul:Tls:ClientCertificateFile", error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public async Task AgentRefusingTheClientCertificate_SaysSo()
    {
        using var harness = Harness(o =>
        {
            o.Address = _strictAddress;
            o.Tls.CaFile = _caFile;
            o.Tls.ServerName = ServerName;
            o.Tls.ClientCertificateFile = _clientCertFile;
            o.Tls.ClientKeyFile = _clientKeyFile;
        });

        var error = await Assert.ThrowsAsync<ConsulException>(() => harness.Client.GetLeaderAsync(_ct));

        Assert.StartsWith("TLS: client certificate refused by the agent", error.Message, StringComparison.Ordinal);
        Assert.Contains(_clientCertFile, error.Message, StringComparison.Ordinal);
    }

    private async Task<WebApplication> StartServerAsync(X509Certificate2 serverCertificate, ClientCertificateMode mode, bool acceptClientCertificates = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = X509CertificateLoader.LoadPkcs12(serverCertificate.Export(X509ContentType.Pkcs12), null),
            ClientCertificateMode = mode,
            ClientCertificateValidation = (_, _, _) => acceptClientCertificates,
        })));
        var server = builder.Build();
        server.MapGet("/v1/status/leader", (HttpContext context) =>
            Results.Text($"\"{context.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false) ?? "anonymous"}\"", "application/json"));
        await server.StartAsync(_ct);
        return server;
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
