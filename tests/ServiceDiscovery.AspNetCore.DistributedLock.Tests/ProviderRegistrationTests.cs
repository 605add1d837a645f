// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Medallion.Threading;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDiscovery.AspNetCore.DistributedLock.Tests;

/// <summary>What <c>AddConsulDistributedLocks()</c> registers, and how bad names and counts are refused.</summary>
public sealed class ProviderRegistrationTests
{
    [Fact]
    public void AddConsulDistributedLocks_registers_both_providers_and_the_Consul_lock_provider_once()
    {
        using var services = BuildServices();

        var locks = services.GetRequiredService<IDistributedLockProvider>();
        Assert.Same(locks, services.GetRequiredService<IDistributedSemaphoreProvider>());
        Assert.NotNull(services.GetRequiredService<IConsulLockProvider>());
    }

    [Fact]
    public void AddConsulDistributedLocks_applies_its_configure_action_to_the_lock_options()
    {
        using var services = BuildServices(o => o.KeyPrefix = "from-code/");

        Assert.Equal("from-code/", services.GetRequiredService<Microsoft.Extensions.Options.IOptions<ConsulLockOptions>>().Value.KeyPrefix);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void CreateSemaphore_with_a_max_count_below_one_is_refused_naming_it(int maxCount)
    {
        using var services = BuildServices();

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => services.GetRequiredService<IDistributedSemaphoreProvider>().CreateSemaphore("s", maxCount));
        Assert.Equal("maxCount", ex.ParamName);
        Assert.Contains("1 or more", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void A_blank_name_is_refused_naming_the_setting_it_sits_under(string name)
    {
        using var services = BuildServices();

        var ex = Assert.Throws<ArgumentException>(() => services.GetRequiredService<IDistributedLockProvider>().CreateLock(name));
        Assert.Equal("name", ex.ParamName);
        Assert.Contains("KeyPrefix", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => services.GetRequiredService<IDistributedSemaphoreProvider>().CreateSemaphore(name, 2));
    }

    [Fact]
    public void A_negative_TryAcquire_timeout_is_refused_before_Consul_is_asked()
    {
        using var services = BuildServices();
        var theLock = services.GetRequiredService<IDistributedLockProvider>().CreateLock("x");

        Assert.Throws<ArgumentOutOfRangeException>(() => theLock.TryAcquire(TimeSpan.FromSeconds(-2), TestContext.Current.CancellationToken));
    }

    private static ServiceProvider BuildServices(Action<ConsulLockOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = "http://127.0.0.1:8500" })
            .Build());
        services.AddLogging();
        services.AddConsulDistributedLocks(configure);
        return services.BuildServiceProvider();
    }
}
