// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Text;
using ServiceDiscovery.AspNetCore;

namespace Demo;

/// <summary>
/// The Connect step: a Connect-native catalog and a Connect-native orders (the same switch as samples/Catalog.Api and
/// samples/Orders.Api: <c>AddConsulConnect()</c> and <c>Consul:Connect:Enabled</c>), orders calling
/// <c>http://catalog/instance</c> over mTLS in a steady loop. The intention <c>orders → catalog</c> is set to deny
/// through the agent's HTTP API and the step measures how long until a call is refused; then allow again and how long
/// until calls succeed. Each call opens a new connection (<c>Connection: close</c>): authorization happens at the TLS
/// handshake, so connections already open are not cut (docs/connect.md).
/// </summary>
internal static class ConnectIntentionStep
{
    /// <summary>The bound on either change taking effect; the goal (docs/connect.md) is under 1 s.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    /// <summary>Runs the step; returns the line to print. Throws <see cref="DemoStepFailedException"/> when a change takes longer than 5 s.</summary>
    public static async Task<string> RunAsync(Uri consul, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stepTime = Stopwatch.StartNew();
        var intention = new Uri(consul, "/v1/connect/intentions/exact?source=orders&destination=catalog");
        using var http = new HttpClient();
        await using var catalog = await StartAsync(consul, "catalog", cancellationToken);
        await using var orders = await StartAsync(consul, "orders", cancellationToken);
        var client = orders.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("catalog");
        try
        {
            await PutIntentionAsync(http, intention, "allow", cancellationToken);
            await WhenDiscoveredAsync(orders, timeout, cancellationToken);
            using var load = new CallLoop(client, cancellationToken);
            await load.WaitForAsync(refused: false, since: 0, timeout, "orders reaches catalog over mTLS", cancellationToken);

            var denyWritten = Stopwatch.GetTimestamp();
            await PutIntentionAsync(http, intention, "deny", cancellationToken);
            var refusedAt = await load.WaitForAsync(refused: true, denyWritten, timeout, "a call is refused after the deny", cancellationToken);
            if (load.RefusedBefore(denyWritten) is > 0 and var early)
            {
                throw new DemoStepFailedException($"{early} calls failed while the intention allowed them");
            }

            var toRefused = Stopwatch.GetElapsedTime(denyWritten, refusedAt);

            var allowWritten = Stopwatch.GetTimestamp();
            await PutIntentionAsync(http, intention, "allow", cancellationToken);
            var servedAt = await load.WaitForAsync(refused: false, allowWritten, timeout, "a call succeeds after the allow", cancellationToken);
            var toServed = Stopwatch.GetElapsedTime(allowWritten, servedAt);
            var (succeeded, refused) = await load.StopAsync();

            if (toRefused > Bound || toServed > Bound)
            {
                throw new DemoStepFailedException(
                    $"a changed intention took {toRefused.TotalMilliseconds:F0} ms (deny) and {toServed.TotalMilliseconds:F0} ms (allow) to take effect; the bound is {Bound.TotalSeconds:F0} s, the goal under 1 s");
            }

            return $"orders → catalog over Connect mTLS, each call a new connection ({succeeded} calls served, {refused} refused): "
                + $"intention orders → catalog deny written, first call refused {toRefused.TotalMilliseconds:F0} ms later; "
                + $"allow written, calls succeed again {toServed.TotalMilliseconds:F0} ms later (step: {stepTime.Elapsed.TotalSeconds:F1} s).";
        }
        finally
        {
            using (await http.DeleteAsync(intention, CancellationToken.None))
            {
                // Leaves the agent (or a real Consul) without the demo's intention.
            }
        }
    }

    /// <summary>Until orders' discovery cache holds catalog's instance (its check passing), so the loop starts against it.</summary>
    private static async Task WhenDiscoveredAsync(RunningApp orders, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var discovery = orders.App.Services.GetRequiredService<IConsulServiceDiscovery>();
        var deadline = Stopwatch.StartNew();
        while ((await discovery.GetInstancesAsync("catalog", cancellationToken)).Count == 0)
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"not true within {timeout.TotalSeconds:F0} s: orders discovers the Connect-native catalog");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    private static async Task PutIntentionAsync(HttpClient http, Uri intention, string action, CancellationToken cancellationToken)
    {
        using var body = new StringContent($$"""{"Action":"{{action}}"}""", Encoding.UTF8, "application/json");
        using var response = await http.PutAsync(intention, body, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new DemoStepFailedException($"PUT {intention.PathAndQuery} {action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }
    }

    /// <summary>
    /// A Connect-native app as the samples run it: https:// for Connect mTLS, http:// for Consul's check. catalog serves
    /// <c>/instance</c>; orders has the <c>http://catalog</c> client (<c>AddConsulLoadBalancing()</c>, no retries, so a
    /// refusal is seen as it happens).
    /// </summary>
    private static async Task<RunningApp> StartAsync(Uri consul, string name, CancellationToken cancellationToken)
    {
        var builder = DemoApps.CreateBuilder(consul, name, "https://127.0.0.1:0", "http://127.0.0.1:0");
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Consul:Connect:Enabled"] = "true",
            ["Consul:Service:Tags:1"] = "connect",
            ["Consul:Registration:DrainDelay"] = "00:00:00",
        });
        builder.Services.AddConsulConnect();
        if (name == "orders")
        {
            builder.Services.AddHttpClient("catalog", c => c.BaseAddress = new Uri("http://catalog")).AddConsulLoadBalancing();
        }

        var app = builder.Build();
        app.MapGet("/instance", (IConsulRegistration registration) => new { id = registration.ServiceId, port = registration.Endpoint?.Port });
        await app.StartAsync(cancellationToken);
        return new RunningApp(app, Health: null);
    }

    /// <summary>orders calling catalog back to back, each call on a new connection; records when calls were served or refused.</summary>
    private sealed class CallLoop : IDisposable
    {
        private readonly CancellationTokenSource _stop;
        private readonly Task _loop;
        private readonly Lock _lock = new();
        private readonly List<(long At, bool Refused)> _results = [];
        private int _succeeded;
        private int _refused;

        public CallLoop(HttpClient client, CancellationToken cancellationToken)
        {
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _loop = Task.Run(() => RunAsync(client, _stop.Token), CancellationToken.None);
        }

        /// <summary>When the first call that ended after <paramref name="since"/> was refused (or served, as asked).</summary>
        public async Task<long> WaitForAsync(bool refused, long since, TimeSpan timeout, string what, CancellationToken cancellationToken)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                lock (_lock)
                {
                    foreach (var (at, wasRefused) in _results)
                    {
                        if (at >= since && wasRefused == refused)
                        {
                            return at;
                        }
                    }
                }

                if (_loop.IsFaulted)
                {
                    await _loop; // the loop's own failure, thrown here
                }

                if (deadline.Elapsed > timeout)
                {
                    throw new TimeoutException($"not true within {timeout.TotalSeconds:F0} s: {what}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(5), cancellationToken);
            }
        }

        /// <summary>How many calls that ended before <paramref name="timestamp"/> were refused.</summary>
        public int RefusedBefore(long timestamp)
        {
            lock (_lock)
            {
                return _results.Count(r => r.Refused && r.At < timestamp);
            }
        }

        public async Task<(int Succeeded, int Refused)> StopAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            return (_succeeded, _refused);
        }

        public void Dispose()
        {
            _stop.Cancel();
            _stop.Dispose();
        }

        private async Task RunAsync(HttpClient client, CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/instance");
                request.Headers.ConnectionClose = true;
                bool refused;
                try
                {
                    using var response = await client.SendAsync(request, cancellationToken);
                    response.EnsureSuccessStatusCode();
                    refused = false;
                    _succeeded++;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException)
                {
                    // Refused at the TLS handshake: catalog's Kestrel ended it after Consul's authorize said deny.
                    refused = true;
                    _refused++;
                }

                lock (_lock)
                {
                    _results.Add((Stopwatch.GetTimestamp(), refused));
                }
            }
        }
    }
}
