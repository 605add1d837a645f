// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

/// <summary>A tiny Kestrel endpoint for HTTP checks to probe: answers with a settable status and body, records each probe.</summary>
public sealed class LoopbackHealthEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedProbe> _probes = new();
    private TaskCompletionSource _probed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _hang;

    private LoopbackHealthEndpoint(WebApplication app) => _app = app;

    public int Status { get; set; } = 200;

    public string Body { get; set; } = "ok";

    public Uri Url { get; private set; } = null!;

    public IReadOnlyList<RecordedProbe> Probes => [.. _probes];

    public static async Task<LoopbackHealthEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var endpoint = new LoopbackHealthEndpoint(app);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        endpoint.Url = new Uri(new Uri(address), "/health");
        return endpoint;
    }

    /// <summary>Makes probes hang (never answer) until <see cref="Release"/>.</summary>
    public void Hang() => _hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _hang?.TrySetResult();

    /// <summary>Waits until at least <paramref name="count"/> probes have arrived (real time, with a deadline).</summary>
    public async Task WaitForProbesAsync(int count, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var next = Volatile.Read(ref _probed).Task;
            if (_probes.Count >= count)
            {
                return;
            }

            await next.WaitAsync(deadline.Token);
        }
    }

    /// <summary>
    /// Advances fake time in <paramref name="step"/>s until the next probe arrives. Probes run one after another, so
    /// when probe N+1 arrives the agent has applied the result of probe N.
    /// </summary>
    public async Task AdvanceToNextProbeAsync(Microsoft.Extensions.Time.Testing.FakeTimeProvider time, TimeSpan step)
    {
        var target = _probes.Count + 1;
        for (var i = 0; i < 200; i++)
        {
            time.Advance(step);
            try
            {
                await WaitForProbesAsync(target, TimeSpan.FromMilliseconds(50));
                return;
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                // The runner had not armed its next delay yet: advance again.
            }
        }

        Assert.Fail($"probe {target} never arrived");
    }

    public async ValueTask DisposeAsync()
    {
        Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        _probes.Enqueue(new RecordedProbe(
            context.Request.Method,
            context.Request.Headers.UserAgent.ToString(),
            context.Request.Headers.Accept.ToString(),
            context.Request.Headers.Connection.ToString(),
            context.Request.Headers["X-Probe"].ToString()));
        Interlocked.Exchange(ref _probed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        if (_hang is { } hang)
        {
            await hang.Task.WaitAsync(context.RequestAborted);
        }

        context.Response.StatusCode = Status;
        await context.Response.WriteAsync(Body);
    }
}

public sealed record RecordedProbe(string Method, string UserAgent, string Accept, string Connection, string ProbeHeader);
