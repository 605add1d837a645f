// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Tests.Fakes;

/// <summary>
/// One blocking endpoint the test drives, with Consul's semantics (docs/consul-http-api.md §8): a request whose
/// <c>index</c> is 0 or below the current index is answered at once; otherwise it is held until <see cref="Set"/> moves
/// the index past it, or <see cref="ExpireWaits"/> ends its wait (answering the current, possibly lower, index). While
/// the gate is closed (<see cref="Close"/>) every request is held, index 0 included.
/// </summary>
internal sealed class FakeBlockingQuery<T>
{
    private readonly Lock _sync = new();
    private readonly List<Held> _held = [];
    private readonly List<QueryOptions> _requests = [];
    private readonly Queue<Exception> _failures = new();
    private ulong _index;
    private T _value;
    private bool _open = true;

    public FakeBlockingQuery(T value, ulong index)
    {
        _value = value;
        _index = index;
    }

    /// <summary>Gets or sets a value indicating whether every request moves the index by one and is answered at once (an index that keeps moving).</summary>
    public bool AutoAdvance { get; set; }

    public ulong Index
    {
        get { lock (_sync) { return _index; } }
    }

    public int RequestCount
    {
        get { lock (_sync) { return _requests.Count; } }
    }

    /// <summary>Gets the options of every request received, in order.</summary>
    public IReadOnlyList<QueryOptions> Requests
    {
        get { lock (_sync) { return [.. _requests]; } }
    }

    /// <summary>Gets the number of requests held (blocking, or behind the closed gate).</summary>
    public int HeldCount
    {
        get { lock (_sync) { return _held.Count; } }
    }

    /// <summary>Sets the answer and its index, and answers the held requests it unblocks.</summary>
    public void Set(ulong index, T value)
    {
        lock (_sync)
        {
            _index = index;
            _value = value;
        }

        Release(all: false);
    }

    /// <summary>Holds every request from now on, index 0 included.</summary>
    public void Close()
    {
        lock (_sync)
        {
            _open = false;
        }
    }

    /// <summary>Opens the gate and answers the held requests that no longer block.</summary>
    public void Open()
    {
        lock (_sync)
        {
            _open = true;
        }

        Release(all: false);
    }

    /// <summary>Every held request's wait runs out: it is answered with the current index and value, whatever it asked for.</summary>
    public void ExpireWaits() => Release(all: true);

    /// <summary>Fails the next <paramref name="count"/> requests with a connection failure.</summary>
    public void FailNext(int count)
    {
        lock (_sync)
        {
            for (var i = 0; i < count; i++)
            {
                _failures.Enqueue(new ConsulException("Consul request failed (test).", ConsulErrorReason.ConnectionFailed, null, null));
            }
        }
    }

    /// <summary>Fails every held request, as a connection dropped in the middle of a blocking query.</summary>
    public void DropHeld()
    {
        Held[] held;
        lock (_sync)
        {
            held = [.. _held];
            _held.Clear();
        }

        foreach (var request in held)
        {
            request.Response.TrySetException(new ConsulException("Connection dropped (test).", ConsulErrorReason.ConnectionFailed, null, null));
        }
    }

    public Task<QueryResult<T>> QueryAsync(QueryOptions options, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            _requests.Add(options);
            if (_failures.TryDequeue(out var failure))
            {
                return Task.FromException<QueryResult<T>>(failure);
            }

            if (AutoAdvance)
            {
                _index++;
            }

            if (_open && (options.Index == 0 || _index > options.Index))
            {
                return Task.FromResult(Answer());
            }

            var held = new Held(options.Index, cancellationToken);
            _held.Add(held);
            return held.Response.Task;
        }
    }

    private void Release(bool all)
    {
        var answers = new List<(Held Request, QueryResult<T> Answer)>();
        lock (_sync)
        {
            foreach (var held in _held.ToArray())
            {
                if (all || (_open && (held.Index == 0 || _index > held.Index)))
                {
                    _held.Remove(held);
                    answers.Add((held, Answer()));
                }
            }
        }

        foreach (var (request, answer) in answers)
        {
            request.Response.TrySetResult(answer);
        }
    }

    private QueryResult<T> Answer() => new(_value, _index, KnownLeader: true, LastContact: TimeSpan.Zero);

    private sealed class Held
    {
        public Held(ulong index, CancellationToken cancellationToken)
        {
            Index = index;
            cancellationToken.Register(() => Response.TrySetCanceled(cancellationToken));
        }

        public ulong Index { get; }

        public TaskCompletionSource<QueryResult<T>> Response { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
