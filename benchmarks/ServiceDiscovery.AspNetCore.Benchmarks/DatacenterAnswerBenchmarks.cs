// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ServiceDiscovery.AspNetCore.Consul.Digests;
using ServiceDiscovery.AspNetCore.Consul.Json;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// What the datacenter watch does with each answer of <c>/v1/health/state/any</c> and <c>/v1/catalog/services</c>:
/// decode the answer and fingerprint it per name (the baseline, as the watch did first), against reading the
/// fingerprints straight from the JSON. The answers are shaped as Consul sends them (a check with its definition,
/// tags and indexes, about 470 bytes), one service and check per name, 100 nodes.
/// </summary>
[MemoryDiagnoser]
public class DatacenterAnswerBenchmarks
{
    private byte[] _checks = [];
    private byte[] _services = [];

    [Params(10_000)]
    public int Names { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var checks = new StringBuilder("[");
        var services = new StringBuilder("{");
        for (var i = 0; i < Names; i++)
        {
            var separator = i == 0 ? string.Empty : ",";
            checks.Append(CultureInfo.InvariantCulture, $$"""
                {{separator}}{"Node":"scale-node-{{i % 100}}","CheckID":"svc-{{i}}-check","Name":"svc-{{i}} check","Status":"passing","Notes":"","Output":"HTTP GET http://10.0.{{i % 250}}.{{i % 200}}:5000/health: 200 OK Output: Healthy","ServiceID":"svc-{{i}}","ServiceName":"svc-{{i}}","ServiceTags":["v1","http"],"Type":"http","Interval":"10s","Timeout":"5s","ExposedPort":0,"Definition":{"HTTP":"http://10.0.{{i % 250}}.{{i % 200}}:5000/health","Interval":"10s","Timeout":"5s"},"CreateIndex":{{i + 20}},"ModifyIndex":{{i + 20}}}
                """);
            services.Append(CultureInfo.InvariantCulture, $"{separator}\"svc-{i}\":[\"v1\",\"http\"]");
        }

        _checks = Encoding.UTF8.GetBytes(checks.Append(']').ToString());
        _services = Encoding.UTF8.GetBytes(services.Append('}').ToString());
        if (HealthStateDigest.Parse(_checks).Count != Names || CatalogServicesDigest.Parse(_services).Count != Names)
        {
            throw new InvalidOperationException("The generated answers do not hold one entry per name.");
        }
    }

    [Benchmark(Baseline = true, Description = "health/state: decode checks, then fingerprint")]
    public int DecodeChecks() => HealthStateDigest.Of(JsonSerializer.Deserialize(_checks, ConsulJsonContext.Default.ListHealthCheck)!).Count;

    [Benchmark(Description = "health/state: fingerprint while reading")]
    public int DigestChecks() => HealthStateDigest.Parse(_checks).Count;

    [Benchmark(Description = "catalog/services: decode, then fingerprint")]
    public int DecodeServices()
    {
        var decoded = JsonSerializer.Deserialize(_services, ConsulJsonContext.Default.DictionaryStringListString)!;
        return CatalogServicesDigest.Of(decoded.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value, StringComparer.Ordinal)).Count;
    }

    [Benchmark(Description = "catalog/services: fingerprint while reading")]
    public int DigestServices() => CatalogServicesDigest.Parse(_services).Count;
}
