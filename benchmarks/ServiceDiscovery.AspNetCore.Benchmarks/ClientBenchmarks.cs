// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.DependencyInjection;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// The client's own cost per request: a whole <c>GetHealthServiceAsync</c> (request building, headers, timeout,
/// telemetry, logging checks, decoding) over an in-memory handler, against decoding the same answer alone. The answer
/// is shaped as Consul CE sends it: node, service, and the <c>serfHealth</c> and one HTTP check per entry.
/// </summary>
[MemoryDiagnoser]
public class ClientBenchmarks
{
    private byte[] _answer = [];
    private ServiceProvider? _services;
    private IConsulHealthApi? _health;

    [Params(1, 20)]
    public int Entries { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var json = new StringBuilder("[");
        for (var i = 0; i < Entries; i++)
        {
            json.Append(CultureInfo.InvariantCulture, $$$"""
                {{{(i == 0 ? string.Empty : ",")}}}{"Node":{"ID":"5e0c6b3a-0000-0000-0000-{{{i:D12}}}","Node":"node-{{{i}}}","Address":"10.0.0.{{{i}}}","Datacenter":"dc1","TaggedAddresses":{"lan":"10.0.0.{{{i}}}","lan_ipv4":"10.0.0.{{{i}}}","wan":"10.0.0.{{{i}}}","wan_ipv4":"10.0.0.{{{i}}}"},"Meta":{"consul-network-segment":"","consul-version":"1.20.1"},"CreateIndex":13,"ModifyIndex":14},"Service":{"ID":"catalog-10.0.0.{{{i}}}-5000","Service":"catalog","Tags":["v1","http"],"Address":"10.0.0.{{{i}}}","TaggedAddresses":{"lan_ipv4":{"Address":"10.0.0.{{{i}}}","Port":5000},"wan_ipv4":{"Address":"10.0.0.{{{i}}}","Port":5000}},"Meta":{"version":"1.4.2"},"Port":5000,"Weights":{"Passing":1,"Warning":1},"EnableTagOverride":false,"Proxy":{"Mode":"","MeshGateway":{},"Expose":{}},"Connect":{},"PeerName":"","CreateIndex":{{{20 + i}}},"ModifyIndex":{{{20 + i}}}},"Checks":[{"Node":"node-{{{i}}}","CheckID":"serfHealth","Name":"Serf Health Status","Status":"passing","Notes":"","Output":"Agent alive and reachable","ServiceID":"","ServiceName":"","ServiceTags":[],"Type":"","Interval":"","Timeout":"","ExposedPort":0,"Definition":{},"CreateIndex":13,"ModifyIndex":13},{"Node":"node-{{{i}}}","CheckID":"service:catalog-10.0.0.{{{i}}}-5000","Name":"Service 'catalog' check","Status":"passing","Notes":"","Output":"HTTP GET http://10.0.0.{{{i}}}:5000/health: 200 OK Output: Healthy","ServiceID":"catalog-10.0.0.{{{i}}}-5000","ServiceName":"catalog","ServiceTags":["v1","http"],"Type":"http","Interval":"10s","Timeout":"5s","ExposedPort":0,"Definition":{},"CreateIndex":{{{20 + i}}},"ModifyIndex":{{{40 + i}}}}]}
                """);
        }

        _answer = Encoding.UTF8.GetBytes(json.Append(']').ToString());
        var services = new ServiceCollection().AddLogging();
        services.AddConsulOptions(section: null, options => options.Address = "http://consul.test:8500");
        services.AddHttpClient(ConsulApiClient.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new AnswerHandler(_answer));
        _services = services.BuildServiceProvider();
        _health = _services.GetRequiredService<IConsulHealthApi>();
        if (Decode() != Entries || await WholeCallAsync().ConfigureAwait(false) != Entries)
        {
            throw new InvalidOperationException("The generated answer does not decode to one entry per instance.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _services?.Dispose();

    [Benchmark(Baseline = true, Description = "JSON only")]
    public int Decode() => JsonSerializer.Deserialize(_answer, ConsulJsonContext.Default.ListServiceEntry)!.Count;

    [Benchmark(Description = "whole GetHealthServiceAsync (in-memory handler)")]
    public async Task<int> WholeCallAsync()
    {
        var result = await _health!.GetHealthServiceAsync("catalog", new HealthServiceQuery { PassingOnly = true }, QueryOptions.Default, CancellationToken.None).ConfigureAwait(false);
        return result.Value.Count;
    }

    /// <summary>Answers every request with the same body and the headers Consul sends with a blocking-capable read.</summary>
    private sealed class AnswerHandler(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body), RequestMessage = request };
            response.Content.Headers.ContentType = new("application/json");
            response.Headers.Add("X-Consul-Index", "60");
            response.Headers.Add("X-Consul-KnownLeader", "true");
            response.Headers.Add("X-Consul-LastContact", "0");
            return Task.FromResult(response);
        }
    }
}
