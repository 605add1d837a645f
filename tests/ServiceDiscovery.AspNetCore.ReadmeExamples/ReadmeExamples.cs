// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Security;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;
using Aspire.Hosting;
using CatalogGrpc;
using Grpc.AspNetCore.HealthChecks;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.Consul.Testing;
using Xunit;
using Yarp.ReverseProxy.Forwarder;

using Medallion.Threading;
using static ServiceDiscovery.AspNetCore.ReadmeExamples.InvoiceWork;

namespace ServiceDiscovery.AspNetCore.ReadmeExamples;

// Each method holds one example of README.md, docs/*.md or the package README verbatim (ReadmeExamplesTests compares them line by line), so the README
// cannot show code that does not compile against the current API. Nothing here runs.
internal static class ReadmeExamples
{
    public static void MinimalApp(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddConsulDiscovery();                       // binds "Consul" from appsettings.json
        builder.Services.AddHttpClient("catalog", c => c.BaseAddress = new Uri("http://catalog"))
                        .AddConsulLoadBalancing();                // http://catalog → a healthy instance
        var app = builder.Build();
        app.Run();                                                   // registers once listening, /health served,
                                                                     // drains and deregisters on shutdown
    }

    public static void Registration(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddConsulDiscovery();                   // binds "Consul", validated at start-up
        builder.Services.AddHealthChecks().AddCheck<DbCheck>("db"); // what /health (and so Consul) reports
        var app = builder.Build();
        app.Run();
    }

    public static void MapHealthYourself(WebApplication app)
    {
        app.MapConsulHealthChecks().RequireHost("*:8081");   // path from Consul:Check:Path; turns the automatic one off
    }

    public static void Connectivity(WebApplicationBuilder builder, WebApplication app)
    {
        builder.Services.AddHealthChecks().AddConsulConnectivity(tags: ["ready"]);
        app.MapHealthChecks("/ready", new() { Predicate = r => r.Tags.Contains("ready") });
    }

    public static void Discovery(WebApplicationBuilder builder, WebApplication app)
    {
        builder.Services.AddConsulDiscoveryCache();           // consumers only; AddConsulDiscovery() includes it

        app.MapGet("/catalog-instances", async (IConsulServiceDiscovery discovery, CancellationToken ct) =>
        {
            ConsulServiceInstances instances = await discovery.GetInstancesAsync("catalog", ct);
            return instances.Select(i => new { i.Id, Uri = i.Uri.ToString(), i.CheckStatus, i.Weight, instances.IsStale });
        });
    }

    public static async Task HotPath(IConsulServiceDiscovery discovery)
    {
        // Hot path (e.g. a DelegatingHandler): no await, no allocation.
        if (discovery.TryGetCached("catalog", out var instances) && instances.Count > 0)
        {
            var target = instances[Random.Shared.Next(instances.Count)].Uri;
        }

        // React to changes instead of polling: a list's ChangeToken fires when a newer list replaces it.
        var current = await discovery.GetInstancesAsync("catalog");
        current.ChangeToken.RegisterChangeCallback(_ => Rebuild(), state: null);
    }

    public static void HttpClientByName(WebApplicationBuilder builder)
    {
        builder.Services.AddConsulDiscovery();                 // or AddConsulDiscoveryCache() in a consumer-only app

        var catalog = builder.Services.AddHttpClient("catalog", c => c.BaseAddress = new Uri("http://catalog"));
        catalog.AddStandardResilienceHandler();                // optional; first, so each retry resolves again
        catalog.AddConsulLoadBalancing();                   // http://catalog/... → a healthy catalog instance
    }

    public static void ConnectClient(WebApplicationBuilder builder)
    {
        builder.Services.AddConsulConnect();     // this app's own Connect identity (its leaf), Consul:Connect:Enabled true
        builder.Services.AddHttpClient("catalog", c => c.BaseAddress = new Uri("http://catalog"))
            .AddConsulLoadBalancing();           // unchanged: a Connect-native instance is called over mTLS
    }

    public static void Balancers(WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient("reports", c => c.BaseAddress = new Uri("http://reports"))
            .AddConsulLoadBalancing(ConsulLoadBalancingPolicy.PowerOfTwoChoices);   // this client only
        builder.Services.AddHttpClient("search", c => c.BaseAddress = new Uri("http://search"))
            .AddConsulLoadBalancing<ZoneAwareBalancer>();                           // your own IConsulLoadBalancer
    }

    public static void ServiceEndpointProvider(WebApplicationBuilder builder)
    {
        builder.Services.AddServiceDiscovery();                // Microsoft.Extensions.ServiceDiscovery
        builder.Services.AddConsulServiceEndpointProvider();   // Consul first, ahead of configuration and pass-through
        builder.Services.AddHttpClient("billing", c => c.BaseAddress = new Uri("https+http://billing"))
            .AddServiceDiscovery();
    }

    public static void ServiceEndpointProviderWithRetries(WebApplicationBuilder builder)
    {
        var billing = builder.Services.AddHttpClient("billing", c => c.BaseAddress = new Uri("https+http://billing"));
        billing.AddStandardResilienceHandler();   // Microsoft.Extensions.Http.Resilience; first, so each retry resolves again
        billing.AddServiceDiscovery();
    }

    public static void YarpGateway(WebApplicationBuilder builder)
    {
        builder.Services.AddServiceDiscovery();                 // Microsoft.Extensions.ServiceDiscovery
        builder.Services.AddConsulServiceEndpointProvider();    // Consul answers "catalog"
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver();          // Microsoft.Extensions.ServiceDiscovery.Yarp
    }

    public static void ConnectThroughServiceDiscovery(WebApplicationBuilder builder)
    {
        builder.Services.AddServiceDiscovery();                  // Microsoft.Extensions.ServiceDiscovery
        builder.Services.AddConsulServiceEndpointProvider();     // Consul answers "catalog"
        builder.Services.AddConsulConnect();                     // this app's leaf (Consul:Connect:Enabled true)
        builder.Services.AddHttpClient("catalog", c => c.BaseAddress = new Uri("http://catalog")).AddServiceDiscovery();
    }

    public static void GatewayConnect(WebApplicationBuilder builder)
    {
        builder.Services.AddConsulConnect();   // the gateway's leaf, when Consul:Connect:Enabled is true
        builder.Services.AddSingleton<IForwarderHttpClientFactory, ConsulConnectForwarderHttpClientFactory>();
    }

    /// <summary>Stands in for samples/Gateway's factory of the same name, which docs/gateway.md describes.</summary>
    private sealed class ConsulConnectForwarderHttpClientFactory : ForwarderHttpClientFactory;

    public static void AspireDevAgent(Aspire.Hosting.IDistributedApplicationBuilder builder)
    {
        var consul = builder.AddConsulDevAgent("consul", "../DevAgent/DevAgent.csproj");   // relative to the AppHost
        builder.AddExecutable("catalog", "dotnet", "../Catalog.Api", "run")
               .WithReference(consul)                 // CONSUL_HTTP_ADDR and ConnectionStrings__consul
               .WaitFor(consul);                      // healthy once /v1/status/leader answers
    }

    public static void AspireConsulContainer(Aspire.Hosting.IDistributedApplicationBuilder builder)
    {
        var consul = builder.AddConsul("consul");     // hashicorp/consul in dev mode; the dashboard links its UI
        builder.AddExecutable("orders", "dotnet", "../Orders.Api", "run")
               .WithReference(consul)
               .WaitFor(consul);
    }

    public static void ClientHandlers(WebApplicationBuilder builder)
    {
        builder.Services.AddHttpClient("ServiceDiscovery.Consul")
            .AddHttpMessageHandler<MyAuditHandler>();
    }

    public static void Telemetry(WebApplicationBuilder builder)
    {
        builder.Services.AddOpenTelemetry()
            .WithMetrics(m => m.AddMeter("ServiceDiscovery.Consul"))
            .WithTracing(t => t.AddSource("ServiceDiscovery.Consul"));
    }

    public static async Task TestAgentInYourTests()
    {
        // dotnet add package ServiceDiscovery.Consul.Testing
        await using var consul = await ConsulTestAgent.StartAsync();          // free port, dc1, ACLs off

        var builder = WebApplication.CreateBuilder();
        builder.Configuration["Consul:Address"] = consul.Address.ToString();  // point the app at the agent
        builder.Services.AddConsulDiscovery();
        await using var app = builder.Build();
        await app.StartAsync();

        // Assert on the agent's state without HTTP, waiting on facts rather than sleeping:
        await consul.WaitUntilAsync(a => a.Checks.Any(c => c.Status == "passing"), TimeSpan.FromSeconds(10));
        var service = Assert.Single(consul.Services);
        Assert.Equal(1, consul.CountRequests("/v1/agent/service/register", "PUT")); // registered exactly once
    }

    public static async Task TestCluster()
    {
        await using var cluster = await ConsulTestCluster.StartAsync(3);
        var (a, b) = (cluster.Agents[1], cluster.Agents[2]);

        // register through agent A, discover through agent B; stop A's agent and watch its node turn critical
        await cluster.StopAgentAsync(1);
        await cluster.StartAgentAsync(1);                                  // alive again, local services re-synced
        _ = (a, b);
    }

    public static async Task TestAgentConnect()
    {
        var options = new ConsulTestAgentOptions();
        options.Connect.LeafCertTtl = TimeSpan.FromMinutes(2);   // renewed 12-48 s after issue
        options.Connect.LeafReissueJitter = TimeSpan.Zero;       // new leaf at once after a rotation
        await using var agent = await ConsulTestAgent.StartAsync(options);
        using var http = new HttpClient { BaseAddress = agent.Address };

        // Deny orders -> catalog, as an operator would (the legacy endpoint or a service-intentions config entry).
        await http.PutAsync("/v1/connect/intentions/exact?source=orders&destination=catalog",
            new StringContent("""{"Action":"deny"}"""));

        agent.RotateConnectRoot();   // a new active root, cross-signed by the old one, which stays trusted
    }

    public static async Task TestAgentGateways(HttpClient http)
    {
        await http.PutAsync("/v1/config", new StringContent("""
            {"Kind":"ingress-gateway","Name":"edge",
             "Listeners":[{"Port":8080,"Protocol":"http","Services":[{"Name":"*"}]}]}
            """));
        // A gateway instance, registered with its kind; /v1/health/ingress/orders now answers it.
        await http.PutAsync("/v1/agent/service/register", new StringContent("""{"Name":"edge","Kind":"ingress-gateway","Port":21000}"""));
    }

    public static async Task TestAgentSnapshot(ConsulTestAgent agent)
    {
        using var http = new HttpClient { BaseAddress = agent.Address };
        var saved = await http.GetByteArrayAsync("/v1/snapshot");       // X-Consul-Index: the index it was taken at
        // ... the test changes keys, sessions, queries ...
        await http.PutAsync("/v1/snapshot", new ByteArrayContent(saved)); // back to the saved state
    }

    public static async Task TestAgentLeastPrivilege()
    {
        var options = new ConsulTestAgentOptions();
        options.Acl.Enabled = true;                                   // default policy: deny
        options.Acl.Tokens.Add(new ConsulTestAclToken
        {
            SecretId = "orders-token",
            PolicyRules = """
                service "orders"  { policy = "write" }
                service_prefix "" { policy = "read" }
                node_prefix ""    { policy = "read" }
                """,
        });
        await using var consul = await ConsulTestAgent.StartAsync(options);
    }

    public static async Task TestDatacenters()
    {
        await using var cluster = await ConsulTestCluster.StartDatacentersAsync(
        [
            new() { Name = "dc1", Agents = 2 },
            new() { Name = "dc2", Agents = 2, WanPosition = new Vector2(30, 0) },  // 30 ms away from dc1
        ]);
        var dc2 = cluster.Datacenters[1];
        // register through dc2.Agents[1]; then, through any agent of dc1:
        //   GET /v1/health/service/web?dc=dc2  -> dc2's instances, dc2's X-Consul-Index
        //   GET /v1/catalog/datacenters        -> ["dc1","dc2"] (nearest first)
        dc2.WanReachable = false;   // ?dc=dc2 -> 500 "Remote DC has no server currently reachable"
        dc2.WanLatency = TimeSpan.FromMilliseconds(200);  // every request forwarded into dc2 waits 200 ms
    }

    public static async Task TestAgentWithFakeTime()
    {
        var time = new FakeTimeProvider();
        await using var consul = await ConsulTestAgent.StartAsync(new ConsulTestAgentOptions
        {
            TimeProvider = time,
            ReapInterval = TimeSpan.FromSeconds(1),                    // Consul: 30s
            DeregisterCriticalServiceMinimum = TimeSpan.FromSeconds(2) // Consul: 1m
        });
        time.Advance(TimeSpan.FromSeconds(10));                        // a 10s TTL check is now critical
    }

    public static void ShutdownTimeout(WebApplicationBuilder builder)
    {
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(45));
    }

    public static void ConnectNative(WebApplicationBuilder builder)
    {
        builder.Services.AddConsulDiscovery();   // registration, /health, discovery (as before)
        builder.Services.AddConsulConnect();     // Connect-native server side, when Consul:Connect:Enabled is true
    }

    public static void ConsumerOnly(WebApplicationBuilder builder)
    {
        builder.Services.AddConsulDiscoveryCache();           // discovery only: this app is not registered
        builder.Services.AddHttpClient("catalog", c => c.BaseAddress = new Uri("http://catalog"))
            .AddConsulLoadBalancing(ConsulLoadBalancingPolicy.PowerOfTwoChoices);
    }

    public static void KeyValueConfiguration(WebApplicationBuilder builder)
    {
        builder.Configuration.AddConsulKeyValue();            // Consul section + CONSUL_HTTP_*; config/application/, config/{app}/, config/{app},{env}/
        builder.Services.Configure<Features>(builder.Configuration.GetSection("Features"));
        // IOptionsMonitor<Features> sees `consul kv put config/orders/Features/NewPricing true` within a round trip
    }

    public static void KeyValueConfigurationInCode(WebApplicationBuilder builder)
    {
        builder.Configuration.AddConsulKeyValue(kv =>        // starts from Consul:KeyValue; the connection from Consul
        {
            kv.Optional = true;                                // start without Consul; load when it answers
            kv.Prefixes.Add("shared/pricing/");                // explicit prefixes replace the layered defaults
            kv.Prefixes.Add("config/orders/");
        });
    }

    public static void KeyValueHooks(WebApplicationBuilder builder)
    {
        builder.Configuration.AddConsulKeyValue(kv =>
        {
            kv.OnLoadException = context =>                    // a prefix could not be read at start-up
            {
                Console.Error.WriteLine($"Consul KV {context.Prefix}: {context.Exception.Message}");
                context.Ignore = context.Prefix.EndsWith("/application/", StringComparison.Ordinal); // start without the shared layer
            };
            kv.OnWatchException = context =>                   // a watch failed while the app runs; values stay as they were
            {
                if (context.ConsecutiveFailures > 5)
                {
                    context.RetryDelay = TimeSpan.FromMinutes(5);
                }
            };
        });
    }

    public static void KeyValueOnHostBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddConsulKeyValue();                           // = builder.Configuration.AddConsulKeyValue() + its logs
    }

    private static void Rebuild()
    {
    }

    public static void LeaderElection(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddConsulDiscovery();
        builder.Services.AddConsulLeaderElection("nightly-report");   // key service/leader/nightly-report
        builder.Services.AddHostedService<NightlyReport>();
    }

    public static void Locks(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddConsulLocks(options => options.KeyPrefix = "locks/orders/");
    }

    public static async Task UseLocks(IConsulLockProvider locks, CancellationToken cancellationToken)
    {
        await using (var handle = await locks.AcquireAsync("invoice-42", TimeSpan.FromSeconds(30), cancellationToken))
        {
            await SendInvoiceAsync(handle.LostToken);                 // fires if the lock is lost
        }

        await using (var slot = await locks.AcquireSemaphoreAsync("pdf-render", limit: 3, TimeSpan.FromMinutes(1), cancellationToken))
        {
            await RenderAsync(slot.LostToken);                         // at most 3 holders across every instance
        }
    }

    public static async Task TryLock(IConsulLockProvider locks)
    {
        await using (var handle = await locks.TryAcquireAsync("invoice-42"))   // one attempt; null if held elsewhere
        {
            if (handle is null)
            {
                return;                                                          // "not now" is not an exception
            }

            await SendInvoiceAsync(handle.FencingToken, handle.LostToken);
        }
    }

    private static Task SendInvoiceAsync(CancellationToken cancellationToken) => Task.Delay(0, cancellationToken);

    private static Task SendInvoiceAsync(ulong fencingToken, CancellationToken cancellationToken) => fencingToken > 0 ? Task.Delay(0, cancellationToken) : Task.CompletedTask;

    private static Task RenderAsync(CancellationToken cancellationToken) => Task.Delay(0, cancellationToken);

    public static void GrpcClient(WebApplicationBuilder builder)
    {
        builder.Services.AddConsulGrpcResolver();                 // the consul:// scheme, fed by the discovery cache
        builder.Services.AddGrpcClient<Catalog.CatalogClient>(o => o.Address = new Uri("consul://catalog-grpc"))
            .ConfigureChannel(o => o.Credentials = ChannelCredentials.Insecure); // h2c; ChannelCredentials.SecureSsl for TLS
    }

    public static GrpcChannel GrpcChannelByHand(WebApplication app)
    {
        var channel = GrpcChannel.ForAddress("consul://catalog-grpc", new GrpcChannelOptions
        {
            ServiceProvider = app.Services,
            Credentials = ChannelCredentials.Insecure,
        });
        return channel;
    }

    public static void GrpcTls(WebApplicationBuilder builder, X509Certificate2 clientCertificate)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificates = [clientCertificate],            // mTLS: the client's certificate
                RemoteCertificateValidationCallback = ValidateServer, // e.g. against a private CA
            },
        };
        builder.Services.AddGrpcClient<Catalog.CatalogClient>(o => o.Address = new Uri("consul://catalog-grpc"))
            .ConfigureChannel(o => { o.Credentials = ChannelCredentials.SecureSsl; o.HttpHandler = handler; });
    }

    private static bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        => errors == SslPolicyErrors.None;

    public static void DistributedLocks(WebApplicationBuilder builder)
    {
        builder.Services.AddConsulDistributedLocks(options => options.KeyPrefix = "locks/orders/"); // adds AddConsulLocks() too
    }

    public static void GrpcServer(WebApplicationBuilder builder)
    {
        builder.Services.AddConsulDiscovery();                   // registers, with the check Consul:Check:Kind says
        builder.Services.AddGrpc();
        builder.Services.AddConsulGrpcHealthChecks()             // grpc.health.v1.Health, reporting these checks
            .AddCheck<DbCheck>("db");
        var app = builder.Build();
        app.MapGrpcService<CatalogService>();
        app.MapGrpcHealthChecksService();
    }

    public static void GrpcHealthMapping(WebApplicationBuilder builder)
    {
        builder.Services.Configure<GrpcHealthChecksOptions>(o =>
            o.Services.Map("catalog.v1.Catalog", check => check.Tags.Contains("catalog")));
    }
}

#pragma warning disable SA1402, CA1852 // README example types, as the README shows them.
sealed class NightlyReport([FromKeyedServices("nightly-report")] IConsulLeaderElection election)
    : ConsulLeaderBackgroundService(election)
{
    protected override async Task ExecuteAsLeaderAsync(CancellationToken leadershipToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(24));
        do
        {
            await Reports.WriteNightlyAsync(leadershipToken);
        }
        while (await timer.WaitForNextTickAsync(leadershipToken));
    }
}

public sealed class InvoiceSender(IDistributedLockProvider locks, IDistributedSemaphoreProvider semaphores)
{
    public async Task SendAsync(CancellationToken cancellationToken)
    {
        await using var handle = await locks.TryAcquireLockAsync("invoice-42", cancellationToken: cancellationToken);
        if (handle is null)
        {
            return;                                                    // held elsewhere
        }

        using var work = CancellationTokenSource.CreateLinkedTokenSource(handle.HandleLostToken, cancellationToken);
        await using var slot = await semaphores.AcquireSemaphoreAsync("pdf-render", 3, TimeSpan.FromMinutes(1), work.Token);
        await RenderAndSendAsync(work.Token);                          // stops if Consul takes the lock away
    }
}

static class InvoiceWork
{
    public static Task RenderAndSendAsync(CancellationToken cancellationToken) => Task.Delay(0, cancellationToken);
}

static class Reports
{
    public static Task WriteNightlyAsync(CancellationToken cancellationToken) => Task.Delay(0, cancellationToken);
}

sealed class ZoneAwareBalancer : IConsulLoadBalancer
{
    public ConsulServiceInstance Pick(ConsulServiceInstances instances)
    {
        foreach (var instance in instances)            // allocation-free struct enumerator
        {
            if (instance.Meta.TryGetValue("zone", out var zone) && zone == "eu-west-1a")
            {
                return instance;
            }
        }

        return instances[Random.Shared.Next(instances.Count)];
    }
}
#pragma warning restore SA1402, CA1852

internal sealed class DbCheck : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(HealthCheckResult.Healthy());
}

internal sealed class MyAuditHandler : DelegatingHandler;

internal sealed class Features
{
    public bool NewPricing { get; set; }
}

internal sealed class CatalogService : Catalog.CatalogBase;
