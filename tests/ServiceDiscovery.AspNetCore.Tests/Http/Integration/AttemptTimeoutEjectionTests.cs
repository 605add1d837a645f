// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Http;
using ServiceDiscovery.AspNetCore.Tests.Registration.Integration;

namespace ServiceDiscovery.AspNetCore.Tests.Http.Integration;

/// <summary>
/// An instance that accepts connections but never answers: a resilience pipeline's attempt timeout cancels the call,
/// the retry reaches the other instance, and the hung one is ejected like one that refuses connections. The caller
/// cancelling ejects nothing.
/// </summary>
public sealed class AttemptTimeoutEjectionTests : HttpIntegrationTestBase
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HungInstance_AttemptTimeoutRetriesElsewhereAndEjectsIt()
    {
        var hung = new HitCounter();
        await using var hanging = await StartCatalogAsync(hung, hang: true);
        await using var healthy = await StartCatalogAsync(new HitCounter(), hang: false);
        var http = CreateClient(b =>
        {
            b.AddStandardResilienceHandler(o =>
            {
                o.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(300);
                o.Retry.Delay = TimeSpan.FromMilliseconds(10);
            });
            b.AddConsulLoadBalancing(ConsulLoadBalancingPolicy.RoundRobin);
        });

        for (var i = 0; i < 6; i++)
        {
            var answer = await http.GetStringAsync(new Uri($"http://{Catalog}/work"), Ct);
            Assert.Equal(healthy.ServiceId, answer);
        }

        var tracker = Client!.GetRequiredService<InstanceHealthTracker>();
        var instances = await Client!.GetRequiredService<IConsulServiceDiscovery>().GetInstancesAsync(Catalog, Ct);
        Assert.True(tracker.IsEjected(instances.Single(i => i.Id == hanging.ServiceId)));

        // Round-robin over two reaches the hung one within two calls; once ejected, no later call goes there.
        Assert.Equal(1, hung.Count);
    }

    [Fact]
    public async Task CallerCancels_NothingIsEjected()
    {
        var hung = new HitCounter();
        await using var hanging = await StartCatalogAsync(hung, hang: true);
        var http = CreateClient(b => b.AddConsulLoadBalancing(ConsulLoadBalancingPolicy.RoundRobin));

        for (var i = 1; i <= 2; i++)
        {
            using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var call = http.GetStringAsync(new Uri($"http://{Catalog}/work"), giveUp.Token);
            await WaitUntilAsync(() => hung.Count == i, "the call reached the hung instance");
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        }

        // An ejected sole instance would still be tried (better than failing), so look at what the handler decided.
        var instance = Assert.Single(await Client!.GetRequiredService<IConsulServiceDiscovery>().GetInstancesAsync(Catalog, Ct));
        Assert.False(Client!.GetRequiredService<InstanceHealthTracker>().IsEjected(instance));
    }

    private async Task<RegisteredApp> StartCatalogAsync(HitCounter hits, bool hang)
    {
        var app = RegisteredApp.Create(Consul, Catalog);
        app.App.MapGet("/work", async (HttpContext context) =>
        {
            hits.Hit();
            if (hang)
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }

            return app.ServiceId;
        });
        await app.App.StartAsync(Ct);
        await Consul.WaitUntilAsync(s => s.CheckStatus(app.ServiceId) == "passing", Deadline, $"{app.ServiceId} passes");
        return app;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Deadline, $"timed out waiting until {what}");
            await timer.WaitForNextTickAsync(Ct);
        }
    }

    private HttpClient CreateClient(Action<IHttpClientBuilder> configure)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Address"] = Consul.Address.ToString(),
            ["Consul:Token"] = Consul.Token,
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        configure(services.AddHttpClient("caller"));
        Client = services.BuildServiceProvider();
        return Client.GetRequiredService<IHttpClientFactory>().CreateClient("caller");
    }

    private sealed class HitCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Hit() => Interlocked.Increment(ref _count);
    }
}
