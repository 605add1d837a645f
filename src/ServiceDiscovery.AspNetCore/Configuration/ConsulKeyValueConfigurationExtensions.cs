// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Configuration;

namespace Microsoft.Extensions.Configuration;

/// <summary>Adds Consul KV as a live-reloading configuration source. See docs/configuration.md.</summary>
public static class ConsulKeyValueConfigurationExtensions
{
    /// <summary>
    /// Adds the layered prefixes <c>config/application/</c>, <c>config/{app}/</c> and <c>config/{app},{environment}/</c>
    /// (later ones win), reading the address, token and TLS settings from the <c>Consul</c> section of the configuration
    /// added so far (the source's own keys under <c>Consul:KeyValue</c>), then <c>CONSUL_HTTP_*</c>.
    /// </summary>
    /// <param name="builder">The configuration builder, e.g. <c>builder.Configuration</c>.</param>
    /// <returns>The builder.</returns>
    public static IConfigurationBuilder AddConsulKeyValue(this IConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new ConsulKeyValueConfigurationSource(configure: null));
    }

    /// <summary>
    /// Adds Consul KV as <see cref="AddConsulKeyValue(IConfigurationBuilder)"/> does, then lets <paramref name="configure"/>
    /// adjust the source's settings (prefixes, <see cref="ConsulKeyValueConfigurationOptions.Optional"/>, ...). How to
    /// reach Consul still comes from the <c>Consul</c> section and <c>CONSUL_HTTP_*</c>.
    /// </summary>
    /// <param name="builder">The configuration builder, e.g. <c>builder.Configuration</c>.</param>
    /// <param name="configure">Adjusts the settings bound from <c>Consul:KeyValue</c>.</param>
    /// <returns>The builder.</returns>
    public static IConfigurationBuilder AddConsulKeyValue(this IConfigurationBuilder builder, Action<ConsulKeyValueConfigurationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.Add(new ConsulKeyValueConfigurationSource(configure));
    }
}
