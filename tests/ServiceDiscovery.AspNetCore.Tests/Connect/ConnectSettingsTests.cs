// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

public sealed class ConnectSettingsTests
{
    [Fact]
    public void AddConsulConnect_NullServices_Throws()
        => Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddConsulConnect()).ParamName);

    [Fact]
    public void Section_BindsConnectSettings()
    {
        using var provider = Provider(new() { ["Consul:Connect:Enabled"] = "true", ["Consul:Connect:AuthorizationCacheDuration"] = "00:00:02" }, connect: true);

        var options = provider.GetRequiredService<IOptions<ConsulOptions>>().Value;

        Assert.True(options.Connect.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Connect.AuthorizationCacheDuration);
    }

    [Theory]
    [InlineData("-00:00:01")]
    [InlineData("00:01:00.001")]
    public void AuthorizationCacheDuration_OutOfRange_NamesKeyValueAndFix(string value)
    {
        using var provider = Provider(new() { ["Consul:Connect:AuthorizationCacheDuration"] = value }, connect: true);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConsulOptions>>().Value);

        var message = Assert.Single(error.Failures, f => f.Contains("AuthorizationCacheDuration", StringComparison.Ordinal));
        Assert.Contains("Consul:Connect:AuthorizationCacheDuration", message, StringComparison.Ordinal);
        Assert.Contains(TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture).ToString("c", System.Globalization.CultureInfo.InvariantCulture), message, StringComparison.Ordinal);
        Assert.Contains("Remove it to use the default", message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnabledWithoutAddConsulConnect_IsRefused()
    {
        using var provider = Provider(new() { ["Consul:Connect:Enabled"] = "true" }, connect: false);

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ConsulOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("Consul:Connect:Enabled is true, but the app did not call builder.Services.AddConsulConnect()", StringComparison.Ordinal));
    }

    private static ServiceProvider Provider(Dictionary<string, string?> settings, bool connect)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddLogging();
        services.AddConsulDiscoveryCache();
        if (connect)
        {
            services.AddConsulConnect();
        }

        return services.BuildServiceProvider();
    }
}
