// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// A real Connect-native app on Kestrel (loopback, port 0) against a <see cref="ConsulTarget"/>: <c>AddConsulDiscovery()</c>
/// and <c>AddConsulConnect()</c> with <c>Consul:Connect:Enabled</c>, an https:// endpoint (Connect mTLS) and an http://
/// one for Consul's check. <c>GET /caller</c> answers with the scheme and the SPIFFE id of the caller's certificate,
/// <c>GET /caller-close</c> too and then closes the connection.
/// </summary>
internal sealed class ConnectNativeApp : IAsyncDisposable
{
    private int _requests;

    private ConnectNativeApp(WebApplication app) => App = app;

    public WebApplication App { get; }

    public string ServiceId => App.Services.GetRequiredService<IConsulRegistration>().ServiceId!;

    /// <summary>Requests that reached <c>/caller</c> or <c>/caller-close</c>.</summary>
    public int Requests => Volatile.Read(ref _requests);

    public FakeLogCollector Logs => App.Services.GetFakeLogCollector();

    public static async Task<ConnectNativeApp> StartAsync(ConsulTarget consul, string serviceName)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.UseUrls("https://127.0.0.1:0", "http://127.0.0.1:0");
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddFakeLogging();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = consul.Address.ToString(),
            ["Consul:Token"] = consul.Token,
            ["Consul:Service:Name"] = serviceName,
            ["Consul:Connect:Enabled"] = "true",
            ["Consul:Check:Interval"] = "00:00:01",
            ["Consul:Check:Timeout"] = "00:00:01",
            ["Consul:Registration:DrainDelay"] = "00:00:00",
        });
        builder.Services.AddConsulDiscovery();
        builder.Services.AddConsulConnect();
        var app = builder.Build();
        var native = new ConnectNativeApp(app);
        app.MapGet("/caller", (HttpContext context) => native.Caller(context));

        // The same, closing the connection after the answer: the caller's next request needs a new handshake (over
        // HTTP/1.1; HTTP/2 has no Connection header), as a forwarder with pooled connections otherwise would not.
        app.MapGet("/caller-close", (HttpContext context) =>
        {
            context.Response.Headers.Connection = "close";
            return native.Caller(context);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        await consul.WaitUntilAsync(s => s.CheckStatus(native.ServiceId) == "passing", TimeSpan.FromSeconds(20), $"{native.ServiceId} passes its check");
        return native;
    }

    /// <summary>Whether <paramref name="answer"/> of <c>/caller</c> says https and a caller named <paramref name="callerService"/>.</summary>
    public static bool IsMutualTlsFrom(string answer, string callerService)
        => answer.StartsWith("https spiffe://", StringComparison.Ordinal) && answer.EndsWith("/svc/" + callerService, StringComparison.Ordinal);

    private string Caller(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var certificate = context.Connection.ClientCertificate;
        return $"{context.Request.Scheme} {(certificate is null ? "(none)" : string.Join(',', UriSubjectAlternativeNames.Read(certificate)))}";
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync(CancellationToken.None);
        await App.DisposeAsync();
    }
}
