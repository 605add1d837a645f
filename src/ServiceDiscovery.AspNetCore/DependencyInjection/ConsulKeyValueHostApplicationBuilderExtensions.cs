// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds Consul KV as a configuration source of a host, with its logs in the host's logging. See docs/configuration.md.</summary>
public static class ConsulKeyValueHostApplicationBuilderExtensions
{
    /// <summary>
    /// Adds Consul KV to <see cref="IHostApplicationBuilder.Configuration"/> as
    /// <see cref="ConsulKeyValueConfigurationExtensions.AddConsulKeyValue(IConfigurationBuilder, Action{ConsulKeyValueConfigurationOptions})"/>
    /// does, and hands the source the host's logging when the host starts, so an app that reads KV without any other
    /// <c>AddConsul*</c> call still sees what the source logged (malformed documents, denials, watch failures).
    /// </summary>
    /// <param name="builder">The host builder, e.g. <c>WebApplication.CreateBuilder(args)</c>.</param>
    /// <param name="configure">Adjusts the settings bound from <c>Consul:KeyValue</c>; optional.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddConsulKeyValue(this IHostApplicationBuilder builder, Action<ConsulKeyValueConfigurationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Configuration.Add(new ConsulKeyValueConfigurationSource(configure));
        builder.Services.AddHostedService<KeyValueLoggingAttacher>();
        return builder;
    }
}
