// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.DistributedLock.Tests;

/// <summary>A started host with <c>AddConsulDistributedLocks()</c> on the test's Consul, its keys under a prefix of its own.</summary>
internal static class DistributedLockHost
{
    public static async Task<IHost> StartAsync(ConsulTarget consul, string keyPrefix)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = consul.Address.ToString(),
            ["Consul:Token"] = consul.Token,
            ["Consul:Coordination:Locks:KeyPrefix"] = keyPrefix,
        });
        builder.Services.AddLogging();
        builder.Services.AddConsulDistributedLocks();
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return host;
    }
}
