// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServiceDiscovery.AspNetCore.Health;

namespace ServiceDiscovery.AspNetCore.Tests.Health;

public sealed class ApplicationHealthProbeTests
{
    [Theory]
    [InlineData(HealthStatus.Healthy, ConsulCheckStatus.Passing)]
    [InlineData(HealthStatus.Degraded, ConsulCheckStatus.Warning)]
    [InlineData(HealthStatus.Unhealthy, ConsulCheckStatus.Critical)]
    public async Task ProbeAsync_AppChecks_WorstStatusAsConsulStatusWithoutDetails(HealthStatus worst, ConsulCheckStatus expected)
    {
        await using var provider = Provider(checks => checks
            .AddCheck("ok", () => HealthCheckResult.Healthy("fine"))
            .AddCheck("worst", () => new HealthCheckResult(worst, "secret detail", new InvalidOperationException("secret exception"))));

        var (status, output) = await new ApplicationHealthProbe(provider.GetRequiredService<HealthCheckService>()).ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(expected, status);
        Assert.Equal(worst.ToString(), output);
    }

    [Fact]
    public async Task ProbeAsync_ConsulConnectivityUnhealthy_LeftOut()
    {
        await using var provider = Provider(checks => checks
            .AddCheck("app", () => HealthCheckResult.Healthy())
            .AddCheck("consul", () => HealthCheckResult.Unhealthy(), tags: [ConsulConnectivityHealthCheck.Tag]));

        var (status, _) = await new ApplicationHealthProbe(provider.GetRequiredService<HealthCheckService>()).ProbeAsync(TestContext.Current.CancellationToken);

        Assert.Equal(ConsulCheckStatus.Passing, status);
    }

    private static ServiceProvider Provider(Action<IHealthChecksBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure(services.AddHealthChecks());
        return services.BuildServiceProvider();
    }
}
