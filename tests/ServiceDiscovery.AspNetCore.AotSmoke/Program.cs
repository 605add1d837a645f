// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.DependencyInjection;
using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;
using static Smoke;

// Exercises, under NativeAOT, what reflection would break: source-generated JSON both ways, configuration binding,
// options validation, DI, IHttpClientFactory, and real HTTP round trips to a loopback stand-in for Consul (a health
// query, then a session's life with a KV lock: SessionLockSmoke).
const string HealthJson = """
    [{"Node":{"ID":"40e4a748","Node":"node1","Address":"127.0.0.1","Datacenter":"dc1","TaggedAddresses":{"lan":"127.0.0.1"},"Meta":null},
      "Service":{"ID":"web-1","Service":"web","Tags":["v1"],"Address":"","Meta":null,"Weights":{"Passing":1,"Warning":1},
       "EnableTagOverride":false,"Proxy":{"Mode":""},"Connect":{},"PeerName":""},
      "Checks":[{"Node":"node1","CheckID":"serfHealth","Name":"Serf Health Status","Status":"passing","ServiceTags":[]},
                {"Node":"node1","CheckID":"service:web-1","Status":"warning","ServiceID":"web-1","ServiceTags":["v1"]}]}]
    """;

var registration = new AgentServiceRegistration
{
    ID = "web-1",
    Name = "web",
    Port = 8080,
    Check = new AgentServiceCheck { HTTP = "http://127.0.0.1:8080/health", Interval = TimeSpan.FromSeconds(10), DeregisterCriticalServiceAfter = TimeSpan.FromSeconds(90) },
};
var registrationJson = JsonSerializer.Serialize(registration, ConsulJsonContext.Default.AgentServiceRegistration);
Require(registrationJson == """{"ID":"web-1","Name":"web","Port":8080,"Check":{"Interval":"10s","DeregisterCriticalServiceAfter":"1m30s","HTTP":"http://127.0.0.1:8080/health"}}""", registrationJson);

using var listener = new TcpListener(IPAddress.Loopback, 0);
listener.Start();
var port = ((IPEndPoint)listener.LocalEndpoint).Port;
var server = LoopbackConsul.ServeAsync(listener, (200, HealthJson));

var configuration = new ConfigurationBuilder()
    .AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = $"http://127.0.0.1:{port}", ["Consul:Timeout"] = "00:00:05", ["Consul:Token"] = "aot-token" })
    .Build();
var services = new ServiceCollection();
services.AddSingleton<IConfiguration>(configuration);
services.AddLogging();
services.AddConsulOptions(section: null, configure: null);
using var provider = services.BuildServiceProvider();
var options = provider.GetRequiredService<IOptions<ConsulOptions>>().Value;
Require(options.Timeout == TimeSpan.FromSeconds(5), $"bound Timeout {options.Timeout}");

var client = provider.GetRequiredService<ConsulApiClient>();
var result = await client.GetHealthServiceAsync("web", new HealthServiceQuery { PassingOnly = false, Tags = ["v1"] }, new QueryOptions { Index = 0 }, CancellationToken.None);
var request = (await server)[0].Head;
var entry = result.Value.Single();
Require(request.StartsWith("GET /v1/health/service/web?tag=v1 HTTP/1.1", StringComparison.Ordinal), request);
Require(request.Contains("X-Consul-Token: aot-token", StringComparison.OrdinalIgnoreCase), "token header missing");
Require(result.LastIndex == 42 && entry.Service.ID == "web-1" && entry.Service.Meta is null && entry.Checks.Count == 2, "health entry");
Require(ConsulHealth.AggregatedStatus(entry.Checks) == ConsulCheckStatus.Warning, "aggregate");
var session = await SessionLockSmoke.RunAsync(provider, listener);

try
{
    _ = new ServiceCollection().AddConsulOptions(null, o => o.Address = "unix:///tmp/consul.sock").Services.BuildServiceProvider().GetRequiredService<IOptions<ConsulOptions>>().Value;
    Require(false, "validation did not run");
}
catch (OptionsValidationException ex) when (ex.Message.Contains("Consul:Address", StringComparison.Ordinal))
{
}

Console.WriteLine($"AOT smoke OK: registration {registrationJson.Length} bytes, health entry {entry.Service.ID} ({ConsulHealth.AggregatedStatus(entry.Checks)}), index {result.LastIndex}, {session}");
return 0;
