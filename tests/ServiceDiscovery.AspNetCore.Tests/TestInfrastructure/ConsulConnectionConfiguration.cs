// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

/// <summary>The <c>Consul</c> section's connection keys, as an app's appsettings.json would carry them.</summary>
internal static class ConsulConnectionConfiguration
{
    public static IConfigurationBuilder AddConsulConnection(this IConfigurationBuilder builder, string address, string? token = null, TimeSpan? timeout = null)
        => builder.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = address,
            ["Consul:Token"] = token,
            ["Consul:Timeout"] = timeout?.ToString("c", CultureInfo.InvariantCulture),
        });
}
