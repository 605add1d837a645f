// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.DependencyInjection;
using ServiceDiscovery.AspNetCore.Tests.Consul.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

/// <summary>Consul CLI variable fallback and start-up validation of the connection settings.</summary>
public sealed class ConsulOptionsTests
{
    [Theory]
    [InlineData(null, null, "http://127.0.0.1:8500")]
    [InlineData(null, "true", "https://127.0.0.1:8500")]
    [InlineData("consul.internal:8500", null, "http://consul.internal:8500")]
    [InlineData("consul.internal:8501", "true", "https://consul.internal:8501")]
    [InlineData("consul.internal:8501", "1", "https://consul.internal:8501")]
    [InlineData("consul.internal:8500", "false", "http://consul.internal:8500")]
    [InlineData("https://consul.internal:8501", null, "https://consul.internal:8501")]
    [InlineData("http://consul.internal:8501", "true", "https://consul.internal:8501")]
    [InlineData("http://[::1]:8500", null, "http://[::1]:8500")]
    [InlineData("  ", null, "http://127.0.0.1:8500")]
    public void Address_FromEnvironment(string? consulHttpAddr, string? consulHttpSsl, string expected)
    {
        var options = Resolve(configure: null, new() { ["CONSUL_HTTP_ADDR"] = consulHttpAddr, ["CONSUL_HTTP_SSL"] = consulHttpSsl });

        Assert.Equal(expected, options.Address);
    }

    /// <summary>Issue 22: Consul:Address without a scheme follows CONSUL_HTTP_ADDR's rule (Consul's CLI's), and passes validation.</summary>
    [Theory]
    [InlineData("consul.internal:8500", null, "http://consul.internal:8500")]
    [InlineData("consul:8500", null, "http://consul:8500")]
    [InlineData("127.0.0.1:8501", "true", "https://127.0.0.1:8501")]
    [InlineData("[::1]:8500", null, "http://[::1]:8500")]
    [InlineData(" consul.internal:8500 ", "false", "http://consul.internal:8500")]
    [InlineData("http://consul.internal:8500", "true", "http://consul.internal:8500")]
    public void Address_Configured_WithoutScheme_TakesTheSameRuleAsTheVariable(string configured, string? consulHttpSsl, string expected)
    {
        var options = Resolve(o => o.Address = configured, new() { ["CONSUL_HTTP_SSL"] = consulHttpSsl });

        Assert.Equal(expected, options.Address);
    }

    [Fact]
    public void ConfiguredValues_WinOverEnvironment()
    {
        var environment = new Dictionary<string, string?>
        {
            ["CONSUL_HTTP_ADDR"] = "env:8500",
            ["CONSUL_HTTP_SSL"] = "true",
            ["CONSUL_HTTP_TOKEN"] = "env-token",
            ["CONSUL_CACERT"] = "/env/ca.pem",
            ["CONSUL_TLS_SERVER_NAME"] = "env.consul",
        };

        var options = Resolve(
            o =>
            {
                o.Address = "http://config:8500";
                o.Token = "config-token";
                o.Tls.CaFile = "/config/ca.pem";
                o.Tls.ServerName = "config.consul";
            },
            environment,
            validate: false);

        Assert.Equal("http://config:8500", options.Address);
        Assert.Equal("config-token", options.Token);
        Assert.Equal("/config/ca.pem", options.Tls.CaFile);
        Assert.Equal("config.consul", options.Tls.ServerName);
    }

    [Fact]
    public void TlsAndToken_FromEnvironment()
    {
        var options = Resolve(null, new()
        {
            ["CONSUL_HTTP_TOKEN"] = "env-token",
            ["CONSUL_HTTP_SSL_VERIFY"] = "false",
            ["CONSUL_CACERT"] = "/env/ca.pem",
            ["CONSUL_CLIENT_CERT"] = "/env/cert.pem",
            ["CONSUL_CLIENT_KEY"] = "/env/key.pem",
            ["CONSUL_TLS_SERVER_NAME"] = "server.dc1.consul",
        },
        validate: false);

        Assert.Equal("env-token", options.Token);
        Assert.True(options.Tls.InsecureSkipVerify);
        Assert.Equal("/env/ca.pem", options.Tls.CaFile);
        Assert.Equal("/env/cert.pem", options.Tls.ClientCertificateFile);
        Assert.Equal("/env/key.pem", options.Tls.ClientKeyFile);
        Assert.Equal("server.dc1.consul", options.Tls.ServerName);
    }

    [Theory]
    [InlineData("true", false)]
    [InlineData("0", true)]
    [InlineData("F", true)]
    [InlineData(null, false)]
    public void SslVerify_OnlyAParsedFalseSkipsVerification(string? value, bool expectedSkip)
        => Assert.Equal(expectedSkip, Resolve(null, new() { ["CONSUL_HTTP_SSL_VERIFY"] = value }).Tls.InsecureSkipVerify);

    [Fact]
    public void TokenFile_WinsOverTokenVariable()
    {
        using var file = new TempFile("  file-token\n");

        var options = Resolve(null, new() { ["CONSUL_HTTP_TOKEN"] = "env-token", ["CONSUL_HTTP_TOKEN_FILE"] = file.Path });

        Assert.Equal("file-token", options.Token);
    }

    [Fact]
    public void TokenFile_Empty_FallsBackToTokenVariable()
    {
        using var file = new TempFile("   ");

        Assert.Equal("env-token", Resolve(null, new() { ["CONSUL_HTTP_TOKEN"] = "env-token", ["CONSUL_HTTP_TOKEN_FILE"] = file.Path }).Token);
    }

    public static TheoryData<Action<ConsulOptions>, string> InvalidSettings => new()
    {
        { o => o.Address = "not a url", "Consul:Address 'http://not a url' is not an absolute URL" },
        { o => o.Address = "unix:///var/run/consul.sock", "Consul:Address 'unix:///var/run/consul.sock' is a unix socket" },
        { o => o.Address = "ftp://consul:21", "Consul:Address 'ftp://consul:21' uses the unsupported scheme 'ftp'. Use an http:// or https:// URL, e.g. 'http://consul:21'." },
        { o => o.Address = "http://consul:8500/v1", "Consul:Address 'http://consul:8500/v1' must be scheme, host and port only" },
        { o => o.Address = "http://consul:8500?dc=x", "without a path, query or fragment" },
        { o => o.Timeout = TimeSpan.Zero, "Consul:Timeout must be greater than zero; got '00:00:00'." },
        { o => o.Timeout = TimeSpan.FromSeconds(-1), "Consul:Timeout must be greater than zero; got '-00:00:01'." },
        { o => o.Tls.CaFile = "/nonexistent/ca.pem", "Consul:Tls:CaFile '/nonexistent/ca.pem' does not exist." },
        { o => o.Tls.ClientCertificateFile = "/nonexistent/cert.pem", "Consul:Tls:ClientCertificateFile '/nonexistent/cert.pem' does not exist." },
        { o => o.Tls.ClientKeyFile = "/nonexistent/key.pem", "Consul:Tls:ClientKeyFile is set but Consul:Tls:ClientCertificateFile is not." },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Validation_NamesTheKey(Action<ConsulOptions> configure, string expectedMessage)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(configure, []));

        Assert.Contains(expectedMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_UserInfo_DoesNotEchoThePassword()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(o => o.Address = "http://admin:hunter2@consul:8500", []));

        Assert.Contains("Consul:Address must not contain user info", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_CaFileNotPem_Fails()
    {
        using var file = new TempFile("not a certificate");

        var error = Assert.Throws<OptionsValidationException>(() => Resolve(o => o.Tls.CaFile = file.Path, []));

        Assert.Contains($"Consul:Tls:CaFile '{file.Path}' holds no PEM certificate", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CONSUL_HTTP_SSL", "yes")]
    [InlineData("CONSUL_HTTP_SSL_VERIFY", "nope")]
    public void Validation_UnparseableBooleanVariable_NamesIt(string variable, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(null, new() { [variable] = value }));

        Assert.Contains($"{variable} is '{value}', which is not a boolean", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_MissingTokenFile_NamesVariable()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(null, new() { ["CONSUL_HTTP_TOKEN_FILE"] = "/nonexistent/token" }));

        Assert.Contains("CONSUL_HTTP_TOKEN_FILE points to '/nonexistent/token', which does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_Token_NeverInMessage()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(o => { o.Token = "s3cr3t"; o.Address = "bad"; o.Timeout = TimeSpan.Zero; }, []));

        Assert.DoesNotContain("s3cr3t", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_Defaults_Pass()
    {
        var options = Resolve(null, []);

        Assert.Equal("http://127.0.0.1:8500", options.Address);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Null(options.Token);
    }

    [Fact]
    public void Binding_ReadsConsulSectionIncludingTls()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = "https://consul.example:8501",
            ["Consul:Token"] = "t",
            ["Consul:Datacenter"] = "dc2",
            ["Consul:Timeout"] = "00:00:03",
            ["Consul:Tls:InsecureSkipVerify"] = "true",
            ["Consul:Tls:ServerName"] = "server.dc2.consul",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IConsulEnvironment>(new FakeConsulEnvironment([]));
        services.AddConsulOptions(section: null, configure: null);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ConsulOptions>>().Value;

        Assert.Equal("https://consul.example:8501", options.Address);
        Assert.Equal("dc2", options.Datacenter);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        Assert.True(options.Tls.InsecureSkipVerify);
        Assert.Equal("server.dc2.consul", options.Tls.ServerName);
    }

    [Fact]
    public void Binding_Reload_ChangesAddressAndToken()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = "http://a:8500", ["Consul:Token"] = "one" }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IConsulEnvironment>(new FakeConsulEnvironment([]));
        services.AddConsulOptions(section: null, configure: null);
        using var provider = services.BuildServiceProvider();
        var monitor = provider.GetRequiredService<IOptionsMonitor<ConsulOptions>>();
        Assert.Equal("http://a:8500", monitor.CurrentValue.Address);

        configuration["Consul:Address"] = "http://b:8500";
        configuration["Consul:Token"] = "two";
        configuration.Reload();

        Assert.Equal("http://b:8500", monitor.CurrentValue.Address);
        Assert.Equal("two", monitor.CurrentValue.Token);
        Assert.Equal(new Uri("http://b:8500/"), provider.GetRequiredService<ConsulApiClient>().Address);
    }

    [Fact]
    public async Task Reload_NextRequestUsesNewAddressAndToken()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = "http://a:8500", ["Consul:Token"] = "one" }).Build();
        var handler = new FakeHttpMessageHandler((_, _) => Task.FromResult(FakeHttpMessageHandler.Json("\"leader:8300\"")));
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton<IConsulEnvironment>(new FakeConsulEnvironment([]));
        services.AddConsulOptions(section: null, configure: null);
        services.AddHttpClient(ConsulApiClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler);
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<ConsulApiClient>();

        await client.GetLeaderAsync(TestContext.Current.CancellationToken);
        configuration["Consul:Address"] = "http://b:8500";
        configuration["Consul:Token"] = "two";
        configuration.Reload();
        await client.GetLeaderAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["http://a:8500/v1/status/leader", "http://b:8500/v1/status/leader"], handler.Requests.Select(r => r.Uri.AbsoluteUri));
        Assert.Equal(["one", "two"], handler.Requests.Select(r => r.Header("X-Consul-Token")));
    }

    private static ConsulOptions Resolve(Action<ConsulOptions>? configure, Dictionary<string, string?> environment, bool validate = true)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConsulEnvironment>(new FakeConsulEnvironment(environment));
        services.AddConsulOptions(section: null, configure);
        if (!validate)
        {
            // These tests name TLS files that do not exist; only the fallback is under test.
            services.RemoveAll<IValidateOptions<ConsulOptions>>();
        }

        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<ConsulOptions>>().Value;
    }

    private sealed class TempFile : IDisposable
    {
        public TempFile(string content)
        {
            Path = System.IO.Path.GetTempFileName();
            File.WriteAllText(Path, content);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
