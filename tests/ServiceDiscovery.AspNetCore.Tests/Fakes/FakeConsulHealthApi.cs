// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Diagnostics;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Tests.Fakes;

/// <summary>
/// A hand-driven <see cref="IConsulHealthApi"/> for the discovery cache: every <c>/v1/health/service</c> call is queued
/// as a <see cref="HealthRequest"/> the test answers (or fails) when it chooses; <c>/v1/health/state/any</c> (the
/// datacenter watch's checks-table query) is the blocking <see cref="State"/>.
/// </summary>
internal sealed class FakeConsulHealthApi : IConsulHealthApi
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly List<HealthRequest> _queue = [];
    private TaskCompletionSource _queued = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<HealthRequest> _sent = [];
    private int _requestCount;

    public Uri Address { get; } = new("http://127.0.0.1:8500/");

    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>Every <c>/v1/health/service</c> request made so far, answered or not.</summary>
    public IReadOnlyList<HealthRequest> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    /// <summary>When set, answers requests itself instead of queueing them.</summary>
    public Func<HealthRequest, Task<QueryResult<IReadOnlyList<ServiceEntry>>>>? Handler { get; set; }

    /// <summary>Gets the <c>/v1/health/state/any</c> answer: every check in the datacenter.</summary>
    public FakeBlockingQuery<IReadOnlyList<HealthCheck>> State { get; } = new([], index: 1);

    public Task<QueryResult<IReadOnlyList<HealthCheck>>> GetHealthStateAsync(string state, QueryOptions options, CancellationToken cancellationToken)
        => state == "any"
            ? State.QueryAsync(options, cancellationToken)
            : throw new InvalidOperationException($"Discovery asks /v1/health/state/any only, not '{state}'.");

    public Task<QueryResult<IReadOnlyList<ServiceEntry>>> GetHealthServiceAsync(string service, HealthServiceQuery query, QueryOptions options, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requestCount);
        var request = new HealthRequest(service, query, options, cancellationToken);
        lock (_sent)
        {
            _sent.Add(request);
        }

        if (Handler is { } handler)
        {
            return handler(request);
        }

        TaskCompletionSource queued;
        lock (_queue)
        {
            _queue.Add(request);
            queued = _queued;
            _queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        queued.SetResult();
        return request.Response;
    }

    /// <summary>The oldest unanswered request (for <paramref name="service"/> when given), waiting for it up to a deadline.</summary>
    public Task<HealthRequest> NextRequestAsync(string? service = null)
        => NextMatchingAsync(r => service is null || r.Service == service);

    /// <summary>The oldest unanswered request for <paramref name="service"/> asked of <paramref name="datacenter"/> (<see langword="null"/>: no <c>dc</c>, the local one).</summary>
    public Task<HealthRequest> NextRequestInAsync(string service, string? datacenter)
        => NextMatchingAsync(r => r.Service == service && r.Options.Datacenter == datacenter);

    private async Task<HealthRequest> NextMatchingAsync(Predicate<HealthRequest> match)
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            Task queued;
            lock (_queue)
            {
                var index = _queue.FindIndex(match);
                if (index >= 0)
                {
                    var request = _queue[index];
                    _queue.RemoveAt(index);
                    return request;
                }

                queued = _queued.Task;
            }

            await queued.WaitAsync(Deadline - deadline.Elapsed, ct);
        }
    }

    /// <summary>True when a request is queued and not yet taken by <see cref="NextRequestAsync"/>.</summary>
    public bool HasQueuedRequest
    {
        get
        {
            lock (_queue)
            {
                return _queue.Count > 0;
            }
        }
    }

}

/// <summary>One <c>/v1/health/service</c> call the cache made, for the test to inspect and answer.</summary>
internal sealed class HealthRequest
{
    private readonly TaskCompletionSource<QueryResult<IReadOnlyList<ServiceEntry>>> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public HealthRequest(string service, HealthServiceQuery query, QueryOptions options, CancellationToken cancellationToken)
    {
        Service = service;
        Query = query;
        Options = options;
        CancellationToken = cancellationToken;
        cancellationToken.Register(() => _response.TrySetCanceled(cancellationToken));
    }

    public string Service { get; }

    public HealthServiceQuery Query { get; }

    public QueryOptions Options { get; }

    public CancellationToken CancellationToken { get; }

    public Task<QueryResult<IReadOnlyList<ServiceEntry>>> Response => _response.Task;

    public void Respond(ulong index, params ServiceEntry[] entries)
        => Assert.True(_response.TrySetResult(new QueryResult<IReadOnlyList<ServiceEntry>>(entries, index, KnownLeader: true, LastContact: TimeSpan.Zero)));

    public void Fail(ConsulErrorReason reason = ConsulErrorReason.ConnectionFailed, HttpStatusCode? status = null, string? body = null)
        => Assert.True(_response.TrySetException(new ConsulException("Consul request failed (test).", reason, status, body)));
}
