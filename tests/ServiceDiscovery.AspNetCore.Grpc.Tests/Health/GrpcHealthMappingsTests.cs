// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Grpc.AspNetCore.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Grpc.Tests.Health;

public sealed class GrpcHealthMappingsTests
{
    private static readonly HealthCheckMapContext AppCheck = new("db", ["ready"]);
    private static readonly HealthCheckMapContext ConnectivityCheck = new("consul", ["consul-connectivity"]);

    [Fact]
    public void Options_Defaults_WholeServerReportsTheAppChecksButNotConsulConnectivity()
    {
        var mappings = Mappings(grpcService: null);

        var server = Assert.Single(mappings);
        Assert.Equal("", server.Name);
        Assert.True(server.HealthCheckPredicate!(AppCheck));
        Assert.False(server.HealthCheckPredicate(ConnectivityCheck));
    }

    [Fact]
    public void Options_GrpcServiceConfigured_ThatNameReportsTheAppChecksToo()
    {
        var mappings = Mappings(grpcService: "catalog.v1.Catalog");

        var service = Assert.Single(mappings, m => m.Name == "catalog.v1.Catalog");
        Assert.True(service.HealthCheckPredicate!(AppCheck));
        Assert.False(service.HealthCheckPredicate(ConnectivityCheck));
    }

    [Fact]
    public void Options_AppMapsTheNamesItself_ItsMappingsStand()
    {
        var mappings = Mappings("catalog.v1.Catalog", o =>
        {
            o.Services.Map("", _ => true);
            o.Services.Map("catalog.v1.Catalog", c => c.Name == "catalog-db");
        });

        Assert.True(Assert.Single(mappings, m => m.Name == "").HealthCheckPredicate!(ConnectivityCheck));
        var service = Assert.Single(mappings, m => m.Name == "catalog.v1.Catalog");
        Assert.False(service.HealthCheckPredicate!(AppCheck));
        Assert.True(service.HealthCheckPredicate(new HealthCheckMapContext("catalog-db", [])));
    }

    private static List<ServiceMapping> Mappings(string? grpcService, Action<GrpcHealthChecksOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddOptions<ConsulOptions>().Configure(o => o.Check.GrpcService = grpcService);
        services.AddConsulGrpcHealthChecks();
        services.AddConsulGrpcHealthChecks(); // a second call adds nothing twice
        if (configure is not null)
        {
            services.Configure(configure);
        }

        using var provider = services.BuildServiceProvider();
        return [.. provider.GetRequiredService<IOptions<GrpcHealthChecksOptions>>().Value.Services];
    }
}
