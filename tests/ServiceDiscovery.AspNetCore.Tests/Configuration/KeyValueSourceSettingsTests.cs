// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using ServiceDiscovery.AspNetCore.Configuration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Configuration;

/// <summary>Where the source takes its prefixes and connection from, and the malformed-document metric.</summary>
public sealed class KeyValueSourceSettingsTests
{
    [Fact]
    public void Prefixes_ComeFromServiceNameThenHostKeys()
    {
        var host = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["applicationName"] = "Orders.Api",
            ["environment"] = "Staging",
        }).Build();
        var registered = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["applicationName"] = "Orders.Api",
            ["Consul:Service:Name"] = "orders",
            ["environment"] = "Staging",
        }).Build();

        Assert.Equal(["config/application/", "config/Orders.Api/", "config/Orders.Api,Staging/"], ConsulKeyValueConfigurationSource.Prefixes(new ConsulKeyValueConfigurationOptions(), host));
        Assert.Equal(["config/application/", "config/orders/", "config/orders,Staging/"], ConsulKeyValueConfigurationSource.Prefixes(new ConsulKeyValueConfigurationOptions(), registered));
        Assert.Equal(
            ["app/shared/", "app/orders/"],
            ConsulKeyValueConfigurationSource.Prefixes(new ConsulKeyValueConfigurationOptions { Prefixes = { "/app/shared", "app/orders/" } }, registered));
    }

    [Fact]
    public async Task SectionOverload_ReadsConsulSectionOfTheConfigurationSoFar()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/Level", "from-kv");
        var manager = new ConfigurationManager();
        manager.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = consul.Address.ToString(),
            ["Consul:Token"] = consul.Token,
            ["Consul:Service:Name"] = "orders",
            ["Consul:KeyValue:Root"] = kv.Root,
            ["Level"] = "from-appsettings",
        });

        manager.AddConsulKeyValue();

        Assert.Equal("from-kv", manager["Level"]);
        ((IDisposable)manager).Dispose();
    }

    /// <summary>Issue 22: the KV source reads the connection as the rest of the app does: an address without a scheme, Go-style durations.</summary>
    [Fact]
    public async Task AddressWithoutScheme_AndGoStyleDurations_AreAccepted()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/Level", "from-kv");
        var source = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = consul.Address.GetLeftPart(UriPartial.Authority)[(consul.Address.Scheme.Length + 3)..], // host:port only
            ["Consul:Token"] = consul.Token,
            ["Consul:Timeout"] = "1m30s",
            ["Consul:KeyValue:WaitTime"] = "250ms",
            ["Consul:KeyValue:Root"] = kv.Root,
            ["Consul:KeyValue:ApplicationName"] = "orders",
        });
        Assert.DoesNotContain("://", source.Build()["Consul:Address"], StringComparison.Ordinal);

        using var configuration = (ConfigurationRoot)source.AddConsulKeyValue().Build();

        Assert.Equal("from-kv", configuration["Level"]);
    }

    [Fact]
    public void WrongTypeUnderConsul_FailsBuildNamingTheKeyTheValueAndAnExample()
    {
        var source = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = "http://127.0.0.1:1",
            ["Consul:Timeout"] = "ten seconds",
            ["Consul:Tls:InsecureSkipVerify"] = "maybe",
            ["Consul:Service:Port"] = "not read by the KV source",
        });

        var error = Assert.Throws<InvalidOperationException>(() => source.AddConsulKeyValue().Build());

        Assert.Contains("Consul:Timeout 'ten seconds' is not a duration. Use e.g. '10s', '1m30s', '250ms' or '00:00:10'.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Consul:Tls:InsecureSkipVerify 'maybe' is not true or false.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Port", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedDocument_IsCounted()
    {
        await using var consul = await ConsulTarget.StartAsync();
        using var kv = new KeyValueStore(consul);
        await kv.PutAsync("orders/appsettings.json", "{ not json");
        var malformed = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "consul.config.malformed_documents")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref malformed, value));
        listener.Start();

        using var configuration = (ConfigurationRoot)new ConfigurationBuilder()
            .AddConsulConnection(consul.Address.ToString(), consul.Token)
            .AddConsulKeyValue(o => { o.Root = kv.Root; o.ApplicationName = "orders"; })
            .Build();

        // The listener also hears sources other tests build in parallel; this one's document must be among them.
        Assert.True(Interlocked.Read(ref malformed) >= 1, "the malformed document was not counted");
        Assert.DoesNotContain(configuration.AsEnumerable(), static e => !e.Key.StartsWith("Consul", StringComparison.Ordinal));
    }
}
