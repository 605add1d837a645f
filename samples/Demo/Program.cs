// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using Demo;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ServiceDiscovery.Consul.Testing;

// dotnet run --project samples/Demo
// The whole mission in one process: a Consul agent (ConsulTestAgent, or the real Consul of CONSUL_HTTP_ADDR), two
// catalog instances and one orders instance on free loopback ports, then each promise checked step by step. Exits 0
// when every step behaved, 1 naming the step that did not.
using var overall = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var ct = overall.Token;
var stepTimeout = TimeSpan.FromSeconds(20);
var clock = Stopwatch.StartNew();
var step = "start the Consul agent";
ConsulTestAgent? agent = null;
var apps = new List<RunningApp>();
try
{
    Uri consul;
    var external = Environment.GetEnvironmentVariable("CONSUL_HTTP_ADDR");
    if (string.IsNullOrWhiteSpace(external))
    {
        agent = await ConsulTestAgent.StartAsync(cancellationToken: ct);
        consul = agent.Address;
        Say($"1. Consul-compatible test agent listening at {consul} (set CONSUL_HTTP_ADDR to use a real Consul).");
    }
    else
    {
        consul = new Uri(external.Contains("://", StringComparison.Ordinal) ? external : "http://" + external);
        Say($"1. Using the real Consul at {consul}.");
    }

    using var view = new ConsulView(consul);
    using var http = new HttpClient();

    step = "register two catalog instances and one orders instance";
    var started = Stopwatch.StartNew();
    var catalog1 = await DemoApps.StartCatalogAsync(consul, ct);
    apps.Add(catalog1);
    var catalog2 = await DemoApps.StartCatalogAsync(consul, ct);
    apps.Add(catalog2);
    var orders = await DemoApps.StartOrdersAsync(consul, ct);
    apps.Add(orders);
    await Until(async () => (await view.ReadAsync(ct)).Count(r => r.Service is "catalog" or "orders") >= 3, "all three appear in Consul");
    Say($"2. Registered once listening, on their real ports: all three in Consul {started.ElapsedMilliseconds} ms after start-up began.");

    step = "checks turn passing";
    started.Restart();
    await Until(async () => (await view.ReadAsync(ct)).All(r => r.Check == "passing"), "every check is passing");
    Say($"3. Consul's HTTP checks call each app's /health: all passing after {started.ElapsedMilliseconds} ms.");
    await view.PrintAsync("registered and passing", ct);

    step = "orders calls catalog round-robin";
    await Until(async () => (await DiscoveredAsync(http, orders, ct)).Length == 2, "orders' cache knows both catalog instances");
    var hits = new Dictionary<string, int>();
    for (var i = 0; i < 10; i++)
    {
        var answer = await CallCatalogThroughOrdersAsync(http, orders, ct);
        hits[answer.Id] = hits.GetValueOrDefault(answer.Id) + 1;
    }

    Require(hits.Count == 2 && hits.Values.All(h => h == 5), $"10 calls should split 5/5 between the two instances; got {Describe(hits)}");
    Say($"4. orders → http://catalog/instance, 10 calls, round-robin: {Describe(hits)}.");

    step = "a degraded catalog instance turns warning and leaves orders' rotation";
    started.Restart();
    catalog1.Health!.Status = HealthStatus.Degraded;
    await Until(async () => (await view.ReadAsync(ct)).Any(r => r.Id == catalog1.ServiceId && r.Check == "warning"), "Consul shows the warning");
    var toWarning = started.ElapsedMilliseconds;
    await Until(async () => (await DiscoveredAsync(http, orders, ct)) is [var only] && only == catalog2.ServiceId, "orders' cache drops the degraded instance");
    Say($"5. {catalog1.ServiceId} reports Degraded: /health answers 429, Consul shows warning after {toWarning} ms, "
        + $"orders' cache (passing only) dropped it {started.ElapsedMilliseconds} ms after the change.");
    await view.PrintAsync("one instance degraded", ct);
    for (var i = 0; i < 6; i++)
    {
        var answer = await CallCatalogThroughOrdersAsync(http, orders, ct);
        Require(answer.Id == catalog2.ServiceId, $"a call reached {answer.Id} while it was degraded");
    }

    Say($"   6 calls while degraded: all reached {catalog2.ServiceId}.");
    started.Restart();
    catalog1.Health.Status = HealthStatus.Healthy;
    await Until(async () => (await DiscoveredAsync(http, orders, ct)).Length == 2, "the recovered instance is back in orders' cache");
    Say($"   Healthy again: back in orders' rotation after {started.ElapsedMilliseconds} ms.");

    step = "a catalog instance shuts down while calls go on";
    var stopped = catalog2.ServiceId;
    using var calling = CancellationTokenSource.CreateLinkedTokenSource(ct);
    var calls = Task.Run(async () =>
    {
        var (ok, failed) = (0, 0);
        while (!calling.IsCancellationRequested)
        {
            try
            {
                await CallCatalogThroughOrdersAsync(http, orders, calling.Token);
                ok++;
            }
            catch (OperationCanceledException) when (calling.IsCancellationRequested)
            {
                break;
            }
            catch (HttpRequestException)
            {
                failed++;
            }
        }

        return (ok, failed);
    }, ct);
    started.Restart();
    var stopping = catalog2.App.StopAsync(ct);
    await Until(async () => !(await DiscoveredAsync(http, orders, ct)).Contains(stopped), "orders' cache drops the stopping instance");
    var dropped = started.ElapsedMilliseconds;
    await stopping;
    await calling.CancelAsync();
    var (succeeded, failures) = await calls;
    Require(failures == 0, $"{failures} of {succeeded + failures} calls failed during the shutdown");
    Require(!(await view.ReadAsync(ct)).Any(r => r.Id == stopped), $"{stopped} is still registered after a clean stop");
    Say($"6. {stopped} stopped (SIGTERM path: deregister, drain 1 s, stop): orders' cache dropped it after {dropped} ms; "
        + $"{succeeded} calls during the shutdown, {failures} failed.");
    await view.PrintAsync("one catalog instance stopped", ct);

    step = "the leader of an orders election stops and another takes over";
    Say("7. " + await LeaderHandOverStep.RunAsync(consul, stepTimeout, ct));

    step = "orders reads a feature flag from Consul KV that is flipped live";
    var features = orders.App.Services.GetRequiredService<IOptionsMonitor<DemoFeatures>>();
    var flagUri = new Uri(consul, "/v1/kv/config/orders/Features/NewPricing");
    Require(!(await FeaturesAsync(http, orders, ct)).NewPricing, "Features:NewPricing should start false (no key in Consul)");
    var arrived = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
    using (features.OnChange(f =>
           {
               if (f.NewPricing)
               {
                   arrived.TrySetResult(Stopwatch.GetTimestamp());
               }
           }))
    {
        var put = Stopwatch.GetTimestamp();
        using (var response = await http.PutAsync(flagUri, new StringContent("true"), ct))
        {
            response.EnsureSuccessStatusCode();
        }

        var reached = await arrived.Task.WaitAsync(stepTimeout, ct);
        Require((await FeaturesAsync(http, orders, ct)).NewPricing, "orders' /features still shows NewPricing false after the callback");
        Say($"8. PUT config/orders/Features/NewPricing = true: orders' IOptionsMonitor saw it {Stopwatch.GetElapsedTime(put, reached).TotalMilliseconds:F1} ms "
            + "after the PUT began (pushed by its blocking query); GET /features now answers {\"newPricing\":true}.");
    }

    using (await http.DeleteAsync(flagUri, ct))
    {
        // Leaves a real Consul as the demo found it.
    }

    step = "catalog fails over to a second datacenter and back";
    if (agent is null)
    {
        Say("9. (Failover across datacenters runs on two test datacenters; skipped against a real Consul.)");
    }
    else
    {
        Say("9. Two federated test datacenters, catalog in both, orders in dc1 (Consul:Discovery:Failover:Datacenters = [dc2]): "
            + await DatacenterFailoverStep.RunAsync(stepTimeout, ct));
    }

    step = "clean shutdown leaves Consul empty";
    foreach (var app in apps)
    {
        await app.DisposeAsync();
    }

    apps.Clear();
    var left = await view.ReadAsync(ct);
    Require(left.Count == 0, $"still registered: {string.Join(", ", left.Select(r => r.Id))}");
    Say("10. Every app stopped cleanly and deregistered itself: no demo service is left in Consul.");
    await view.PrintAsync("after shutdown", ct);

    step = "orders calls catalog over Connect mTLS; an intention denies it, then allows it again";
    Say("11. " + await ConnectIntentionStep.RunAsync(consul, stepTimeout, ct));

    Say($"All steps behaved, in {clock.Elapsed.TotalSeconds:F1} s.");
    return 0;
}
catch (Exception ex) when (ex is DemoStepFailedException or TimeoutException or HttpRequestException or OperationCanceledException or InvalidOperationException)
{
    Console.Error.WriteLine($"Step failed: {step}: {ex.Message}");
    return 1;
}
finally
{
    foreach (var app in apps)
    {
        await app.DisposeAsync();
    }

    if (agent is not null)
    {
        await agent.DisposeAsync();
    }
}

static void Say(string line) => Console.WriteLine(line);

static void Require(bool condition, string failure)
{
    if (!condition)
    {
        throw new DemoStepFailedException(failure);
    }
}

static string Describe(Dictionary<string, int> hits) => string.Join(", ", hits.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key} × {h.Value}"));

static async Task<InstanceAnswer> CallCatalogThroughOrdersAsync(HttpClient http, RunningApp orders, CancellationToken ct)
    => await http.GetFromJsonAsync<InstanceAnswer>(new Uri(orders.BaseAddress, "/catalog/instance"), ct)
       ?? throw new DemoStepFailedException("orders answered an empty body");

static async Task<DemoFeatures> FeaturesAsync(HttpClient http, RunningApp orders, CancellationToken ct)
    => await http.GetFromJsonAsync<DemoFeatures>(new Uri(orders.BaseAddress, "/features"), ct)
       ?? throw new DemoStepFailedException("orders answered an empty /features body");

static async Task<string[]> DiscoveredAsync(HttpClient http, RunningApp orders, CancellationToken ct)
    => await http.GetFromJsonAsync<string[]>(new Uri(orders.BaseAddress, "/discovery/catalog"), ct) ?? [];

async Task Until(Func<Task<bool>> condition, string what)
{
    var deadline = Stopwatch.StartNew();
    while (!await condition())
    {
        if (deadline.Elapsed > stepTimeout)
        {
            throw new TimeoutException($"not true within {stepTimeout.TotalSeconds:F0} s: {what}");
        }

        // Polling the demo's own view of Consul for printing; the library itself is pushed by blocking queries.
        await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
    }
}

/// <summary>A step of the walk-through did not behave as promised.</summary>
internal sealed class DemoStepFailedException(string message) : Exception(message);
