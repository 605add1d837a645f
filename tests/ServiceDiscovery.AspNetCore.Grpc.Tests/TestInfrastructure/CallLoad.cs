// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Diagnostics;
using CatalogGrpc;
using Grpc.Core;

namespace ServiceDiscovery.AspNetCore.Grpc.Tests.TestInfrastructure;

/// <summary>
/// Unary and server-streaming calls in parallel loops until stopped: counts answers per instance, records every
/// failed call, and when each instance answered first (on <see cref="Stopwatch"/> time).
/// </summary>
internal sealed class CallLoad
{
    private readonly Catalog.CatalogClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    public CallLoad(Catalog.CatalogClient client, int unaryLoops, int streamingLoops)
    {
        _client = client;
        for (var i = 0; i < unaryLoops; i++)
        {
            _loops.Add(Task.Run(UnaryLoopAsync));
        }

        for (var i = 0; i < streamingLoops; i++)
        {
            _loops.Add(Task.Run(StreamingLoopAsync));
        }
    }

    public ConcurrentDictionary<string, int> Answers { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, long> FirstAnswerAt { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> Failures { get; } = new();

    public int Total => Answers.Values.Sum();

    public int StreamsCompleted => Volatile.Read(ref _streamsCompleted);

    private int _streamsCompleted;

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }

    private void Count(Item item)
    {
        FirstAnswerAt.TryAdd(item.InstanceId, Stopwatch.GetTimestamp());
        Answers.AddOrUpdate(item.InstanceId, 1, static (_, n) => n + 1);
    }

    private async Task UnaryLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                Count(await _client.GetItemAsync(new GetItemRequest { Id = 1 }, deadline: TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(30)));
            }
            catch (RpcException ex)
            {
                Failures.Enqueue($"unary: {ex.Status}");
            }
        }
    }

    private async Task StreamingLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var call = _client.ListItems(new ListItemsRequest { Count = 10, DelayMs = 20 }, deadline: TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(30));
                var received = 0;
                await foreach (var item in call.ResponseStream.ReadAllAsync())
                {
                    received++;
                    Count(item);
                }

                if (received != 10)
                {
                    Failures.Enqueue($"stream: {received} of 10 items");
                }

                Interlocked.Increment(ref _streamsCompleted);
            }
            catch (RpcException ex)
            {
                Failures.Enqueue($"stream: {ex.Status}");
            }
        }
    }
}
