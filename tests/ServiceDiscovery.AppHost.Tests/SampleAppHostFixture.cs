// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Diagnostics;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ServiceDiscovery.AppHost.Tests;

/// <summary>
/// samples/AppHost started once for the test class through <c>Aspire.Hosting.Testing</c>: Aspire's orchestrator (DCP, from
/// the <c>Aspire.Hosting.Orchestration</c> package the AppHost SDK references) runs the dev agent and the four apps as
/// processes, each on a port it allocates. Ready once every resource is running and healthy (the agent's health is its
/// <c>/v1/status/leader</c> check); if that takes longer than <see cref="StartDeadline"/>, start-up fails with each
/// resource's state and last log lines.
/// </summary>
public class SampleAppHostFixture : IAsyncLifetime
{
    /// <summary>
    /// The test collection of every class that starts the sample: one sample at a time, since the sample with and
    /// without Connect side by side would be ten processes starting at once.
    /// </summary>
    public const string Collection = "samples/AppHost";

    /// <summary>The sample's resources, as samples/AppHost names them.</summary>
    public static readonly string[] Resources = ["consul", "catalog-1", "catalog-2", "orders", "gateway"];

    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(90);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _logs = new();
    private readonly CancellationTokenSource _stopLogs = new();
    private readonly ConcurrentDictionary<string, TimeSpan> _healthyAfter = new();
    private DistributedApplication? _app;

    /// <summary>Gets the running application.</summary>
    public DistributedApplication App => _app ?? throw new InvalidOperationException("The AppHost has not started.");

    /// <summary>Gets the time from creating the testing builder until every resource was running and healthy.</summary>
    public TimeSpan TimeToHealthy { get; private set; }

    /// <summary>Gets when each resource became healthy, e.g. <c>consul 12.3 s, catalog-1 20.1 s</c>.</summary>
    public string HealthyAfter => string.Join(", ", _healthyAfter.OrderBy(r => r.Value).Select(r => $"{r.Key} {r.Value.TotalSeconds:0.0} s"));

    /// <summary>Gets the base address of <paramref name="resource"/>'s endpoint <paramref name="name"/>, as the orchestrator allocated it.</summary>
    public Uri Endpoint(string resource, string name = "http") => App.GetEndpoint(resource, name);

    /// <summary>Gets the AppHost's command-line arguments: none, the sample as it runs by default.</summary>
    protected virtual string[] Arguments => [];

    /// <summary>Gets the last lines <paramref name="resource"/> wrote, for failure messages.</summary>
    public string LastLogLines(string resource, int count = 30) =>
        _logs.TryGetValue(resource, out var lines) ? string.Join(Environment.NewLine, lines.TakeLast(count)) : "(no output)";

    public async ValueTask InitializeAsync()
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(StartDeadline);
        var elapsed = Stopwatch.StartNew();

        // No dashboard and plain HTTP: a fresh CI machine has no developer certificate.
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            Arguments,
            (options, _) =>
            {
                options.DisableDashboard = true;
                options.AllowUnsecuredTransport = true;
            },
            deadline.Token);
        _app = await builder.BuildAsync(deadline.Token);
        CollectLogs();

        var notifications = _app.Services.GetRequiredService<ResourceNotificationService>();
        try
        {
            await _app.StartAsync(deadline.Token);
            await Task.WhenAll(Resources.Select(async name =>
            {
                await notifications.WaitForResourceHealthyAsync(name, deadline.Token);
                _healthyAfter[name] = elapsed.Elapsed;
            }));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"samples/AppHost was not running and healthy within {StartDeadline.TotalSeconds:0} s.{Environment.NewLine}{Describe(notifications)}");
        }

        TimeToHealthy = elapsed.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            // Stopping takes seconds of its own: the orchestrator stops each `dotnet run` and the process under it.
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        await _stopLogs.CancelAsync();
        _stopLogs.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Each resource's state and last log lines.</summary>
    public string Describe(ResourceNotificationService notifications)
    {
        var lines = new List<string>();
        foreach (var name in Resources)
        {
            var state = notifications.TryGetCurrentState(name, out var current)
                ? $"{current.Snapshot.State?.Text ?? "no state"}, health {current.Snapshot.HealthStatus?.ToString() ?? "none"}"
                : "unknown";
            lines.Add($"--- {name}: {state}");
            lines.Add(LastLogLines(name));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private void CollectLogs()
    {
        var logger = App.Services.GetRequiredService<ResourceLoggerService>();
        var model = App.Services.GetRequiredService<DistributedApplicationModel>();
        foreach (var resource in model.Resources.Where(r => Resources.Contains(r.Name)))
        {
            var lines = _logs.GetOrAdd(resource.Name, _ => new ConcurrentQueue<string>());
            _ = Task.Run(async () =>
            {
                try
                {
                    await foreach (var batch in logger.WatchAsync(resource).WithCancellation(_stopLogs.Token))
                    {
                        foreach (var line in batch)
                        {
                            lines.Enqueue(line.Content);
                            while (lines.Count > 200 && lines.TryDequeue(out _))
                            {
                            }
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                }
            });
        }
    }
}
