// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.DependencyInjection;

namespace ServiceDiscovery.AspNetCore.Tests.Consul.Fakes;

/// <summary>
/// The real DI wiring (<c>AddConsulClientCore</c>) with the primary handler, clock, environment and logs replaced by fakes.
/// </summary>
internal sealed class ConsulClientHarness : IDisposable
{
    public ConsulClientHarness(Action<ConsulOptions>? configure = null, Dictionary<string, string?>? environment = null, HttpMessageHandler? primaryHandler = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(Time);
        services.AddSingleton<IConsulEnvironment>(new FakeConsulEnvironment(environment ?? []));
        services.AddLogging(builder => builder.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        services.AddConsulOptions(section: null, options =>
        {
            options.Address = "http://consul.test:8500";
            configure?.Invoke(options);
        });
        var client = services.AddHttpClient(ConsulApiClient.HttpClientName);
        if (primaryHandler is not ConsulHttpHandlerFactoryMarker)
        {
            client.ConfigurePrimaryHttpMessageHandler(() => primaryHandler ?? Handler);
        }

        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        Client = Services.GetRequiredService<ConsulApiClient>();
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public FakeHttpMessageHandler Handler { get; } = new();

    public ServiceProvider Services { get; }

    public ConsulApiClient Client { get; }

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>Pass as <c>primaryHandler</c> to keep the real <see cref="SocketsHttpHandler"/>.</summary>
    public static HttpMessageHandler RealHandler { get; } = new ConsulHttpHandlerFactoryMarker();

    public void Dispose() => Services.Dispose();

    private sealed class ConsulHttpHandlerFactoryMarker : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}

internal sealed class FakeConsulEnvironment(Dictionary<string, string?> variables) : IConsulEnvironment
{
    public string? GetEnvironmentVariable(string name) => variables.GetValueOrDefault(name);
}
