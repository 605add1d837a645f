// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDiscovery.AspNetCore.Tests.Registration.Integration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Http.Integration;

/// <summary>
/// docs/reliability.md's fail-static scenario end to end: a caller learns <c>catalog</c> with
/// <c>Consul:Discovery:SnapshotPath</c> set and stops; a new caller cold-starts while Consul is unreachable, reaches the
/// catalog instance (still running on its own Kestrel) from the file, and takes Consul's live answers once it is back.
/// </summary>
public sealed class FailStaticSnapshotTests : HttpIntegrationTestBase, IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly string _folder = Directory.CreateTempSubdirectory("sd-fail-static-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string SnapshotPath => Path.Combine(_folder, "discovery.json");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("PerService")]
    [InlineData("Datacenter")]
    public async Task ColdStartWhileConsulIsDown_ReachesTheCatalogFromTheFile_ThenLiveAnswersReplaceIt(string watchMode)
    {
        await using var catalog = await RegisteredApp.StartAsync(Consul, Catalog);
        await Consul.WaitUntilAsync(s => s.CheckStatus(catalog.ServiceId) == "passing", Deadline, $"{catalog.ServiceId} passes");
        var whoami = new Uri($"http://{Catalog}/whoami");

        // A caller learns the catalog from Consul; the debounced write saves it; the caller stops.
        using (var first = await StartCallerAsync(Consul.Address, watchMode))
        {
            Assert.Equal(catalog.ServiceId, await Http(first).GetStringAsync(whoami, Ct));
            await Eventually.WaitAsync(() => File.Exists(SnapshotPath), Deadline, "the snapshot file is written");
            await first.StopAsync(Ct);
        }

        Assert.Contains(catalog.ServiceId, await File.ReadAllTextAsync(SnapshotPath, Ct), StringComparison.Ordinal);
        Assert.DoesNotContain(Consul.Token ?? "no token here", await File.ReadAllTextAsync(SnapshotPath, Ct), StringComparison.Ordinal);

        // A new caller cold-starts with Consul unreachable (a port that refuses connections until the relay starts).
        await using var relay = new TcpRelay(Consul.Address);
        var clock = Stopwatch.StartNew();
        using var second = await StartCallerAsync(relay.Address, watchMode);
        Assert.Equal(catalog.ServiceId, await Http(second).GetStringAsync(whoami, Ct));
        var firstCall = clock.Elapsed;
        var discovery = second.Services.GetRequiredService<IConsulServiceDiscovery>();
        Assert.True(discovery.TryGetCached(Catalog, out var fromFile) && fromFile.IsStale, "served from the file, stale");

        // Consul comes back: the live answer replaces the saved one.
        clock.Restart();
        relay.Start();
        await Eventually.WaitAsync(() => discovery.TryGetCached(Catalog, out var live) && !live.IsStale, Deadline, "Consul's live answer replaces the file's");
        var recovered = clock.Elapsed;
        Assert.Equal(catalog.ServiceId, await Http(second).GetStringAsync(whoami, Ct));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{watchMode}: first call from the file {firstCall.TotalMilliseconds:F0} ms after a cold start with Consul down; live answer {recovered.TotalMilliseconds:F0} ms after Consul came back; file {new FileInfo(SnapshotPath).Length} bytes for 1 name");
        await second.StopAsync(Ct);
    }

    private static HttpClient Http(IHost host) => host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("caller");

    private async Task<IHost> StartCallerAsync(Uri consulAddress, string watchMode)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = consulAddress.ToString(),
            ["Consul:Token"] = Consul.Token,
            ["Consul:Discovery:SnapshotPath"] = SnapshotPath,
            ["Consul:Discovery:WatchMode"] = watchMode,
            ["Consul:Discovery:RetryDelay"] = "00:00:00.200",
            ["Consul:Discovery:MaxRetryDelay"] = "00:00:01",
        });
        builder.Services.AddHttpClient("caller").AddConsulLoadBalancing();
        var host = builder.Build();
        await host.StartAsync(Ct);
        return host;
    }
}
