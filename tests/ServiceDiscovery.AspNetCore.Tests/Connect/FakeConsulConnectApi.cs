// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// An in-memory <see cref="IConsulConnectApi"/>: the roots and the leaf each have an index that every change raises;
/// a blocking read at the current index waits until the next change, as the agent's does. <see cref="Failure"/> makes
/// the roots and leaf reads throw (an agent that is down or runs without Connect); <see cref="OnAuthorize"/> decides.
/// </summary>
internal sealed class FakeConsulConnectApi : IConsulConnectApi
{
    private readonly Lock _gate = new();
    private ConnectRoots _roots;
    private ConnectLeafCertificate _leaf;
    private ulong _rootsIndex = 10;
    private ulong _leafIndex = 20;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _authorizeCalls;
    private int _reads;

    public FakeConsulConnectApi(ConnectRoots roots, ConnectLeafCertificate leaf)
    {
        _roots = roots;
        _leaf = leaf;
    }

    public Uri Address { get; } = new("http://127.0.0.1:8500/");

    /// <summary>Thrown by every roots and leaf read while set.</summary>
    public Exception? Failure { get; set; }

    public Func<ConnectAuthorizeRequest, ConnectAuthorizeResult> OnAuthorize { get; set; } =
        static _ => new ConnectAuthorizeResult(true, "Default behavior configured by ACLs");

    public int AuthorizeCalls => Volatile.Read(ref _authorizeCalls);

    /// <summary>The last authorize request asked.</summary>
    public ConnectAuthorizeRequest? LastAuthorize { get; private set; }

    /// <summary>Roots and leaf reads, blocking or not, failed or not.</summary>
    public int Reads => Volatile.Read(ref _reads);

    /// <summary>The agent goes away: blocked reads fail now, and every read fails until <see cref="Failure"/> is cleared.</summary>
    public void GoDown(Exception failure)
    {
        Failure = failure;
        Change(static () => { });
    }

    public void SetRoots(ConnectRoots roots) => Change(() => { _roots = roots; _rootsIndex += 2; });

    public void SetLeaf(ConnectLeafCertificate leaf) => Change(() => { _leaf = leaf; _leafIndex += 2; });

    public static ConsulException ConnectDisabled() => new(
        "Consul answered 500 (Internal Server Error) to GET /v1/agent/connect/ca/roots at http://127.0.0.1:8500/: Connect must be enabled in order to use this endpoint",
        ConsulErrorReason.ApiError,
        System.Net.HttpStatusCode.InternalServerError,
        "Connect must be enabled in order to use this endpoint");

    public static ConsulException Unreachable() => new("connection refused", ConsulErrorReason.ConnectionFailed, statusCode: null, responseBody: null);

    public Task<QueryResult<ConnectRoots>> GetConnectRootsAsync(QueryOptions options, CancellationToken cancellationToken)
        => ReadAsync(options, () => (_roots, _rootsIndex), cancellationToken);

    public Task<QueryResult<ConnectLeafCertificate>> GetConnectLeafAsync(string service, QueryOptions options, CancellationToken cancellationToken)
        => ReadAsync(options, () => (_leaf, _leafIndex), cancellationToken);

    public Task<ConnectAuthorizeResult> AuthorizeConnectAsync(ConnectAuthorizeRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _authorizeCalls);
        LastAuthorize = request;
        return Task.FromResult(OnAuthorize(request));
    }

    private void Change(Action change)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            change();
            changed = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    private async Task<QueryResult<T>> ReadAsync<T>(QueryOptions options, Func<(T Value, ulong Index)> read, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        while (true)
        {
            if (Failure is { } failure)
            {
                throw failure;
            }

            Task changed;
            lock (_gate)
            {
                var (value, index) = read();
                if (options.Index == 0 || options.Index != index)
                {
                    return new QueryResult<T>(value, index, KnownLeader: true, LastContact: TimeSpan.Zero);
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }
}
