// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>A minimal host (one app instance) connected to the test's Consul, with whatever coordination services the test adds.</summary>
internal static class CoordinationHost
{
    public static IHost Build(ConsulTarget consul, Action<IServiceCollection> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = consul.Address.ToString(),
            ["Consul:Token"] = consul.Token,
        });
        builder.Services.AddLogging();
        configure(builder.Services);
        return builder.Build();
    }
}
