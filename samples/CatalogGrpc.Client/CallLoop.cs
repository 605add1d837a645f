// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Grpc.Core;

namespace CatalogGrpc.Client;

/// <summary>Calls <c>GetItem</c> ten times a second and prints, every five seconds, which instances answered.</summary>
internal sealed partial class CallLoop(Catalog.CatalogClient client, TimeProvider time, ILogger<CallLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var counts = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failed = 0;
        var lastReport = time.GetTimestamp();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100), time);
        while (await tick.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                // WaitForReady: while no instance is available yet, the call waits instead of failing.
                var item = await client.GetItemAsync(new GetItemRequest { Id = counts.Count }, new CallOptions(cancellationToken: stoppingToken).WithWaitForReady()).ConfigureAwait(false);
                counts[item.InstanceId] = counts.GetValueOrDefault(item.InstanceId) + 1;
            }
            catch (RpcException ex) when (!stoppingToken.IsCancellationRequested)
            {
                failed++;
                Log.CallFailed(logger, ex.StatusCode, ex.Status.Detail);
            }

            if (time.GetElapsedTime(lastReport) >= TimeSpan.FromSeconds(5))
            {
                Log.Spread(logger, string.Join(", ", counts.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Key}: {c.Value}"))), failed);
                counts.Clear();
                failed = 0;
                lastReport = time.GetTimestamp();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Calls in the last 5 s by instance: {Spread}; failed: {Failed}")]
        public static partial void Spread(ILogger logger, string spread, int failed);

        [LoggerMessage(2, LogLevel.Warning, "A call failed: {StatusCode} {Detail}")]
        public static partial void CallFailed(ILogger logger, StatusCode statusCode, string detail);
    }
}
