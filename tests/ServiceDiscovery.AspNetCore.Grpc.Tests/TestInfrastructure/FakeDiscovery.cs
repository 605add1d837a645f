// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Primitives;

namespace ServiceDiscovery.AspNetCore.Grpc.Tests.TestInfrastructure;

/// <summary>
/// A discovery cache the test drives: <see cref="Answer"/> decides each lookup (a list, or a throw), and
/// <c>Push</c> replaces the current list and fires the old one's change token, as the cache does on an update.
/// </summary>
internal sealed class FakeDiscovery : IConsulServiceDiscovery
{
    private CancellationTokenSource _change = new();
    private int _lookups;

    public FakeDiscovery(params ConsulServiceInstance[] instances)
    {
        Current = NewList(instances);
        Answer = _ => Unreachable ? throw new ConsulException("Could not discover service 'catalog': the Consul agent could not be reached.") : Current;
    }

    /// <summary>Whether lookups fail as they do when Consul cannot be reached.</summary>
    public bool Unreachable { get; set; }

    /// <summary>The list lookups return by default.</summary>
    public ConsulServiceInstances Current { get; private set; }

    /// <summary>What a lookup answers; throw from it to make the lookup fail.</summary>
    public Func<string, ConsulServiceInstances> Answer { get; set; }

    public int Lookups => Volatile.Read(ref _lookups);

    public ValueTask<ConsulServiceInstances> GetInstancesAsync(string serviceName, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lookups);
        return ValueTask.FromResult(Answer(serviceName));
    }

    public bool TryGetCached(string serviceName, [NotNullWhen(true)] out ConsulServiceInstances? instances)
    {
        instances = Current;
        return true;
    }

    /// <summary>A newer list replaces the current one; the current one's change token fires.</summary>
    public void Push(params ConsulServiceInstance[] instances) => Push(stale: false, instances);

    public void Push(bool stale, params ConsulServiceInstance[] instances)
    {
        var old = _change;
        Current = NewList(instances, stale);
        old.Cancel();
        old.Dispose();
    }

    public static ConsulServiceInstance Instance(string id, int port, string scheme = "h2c", string address = "10.0.0.1")
        => new(id, "catalog", address, port, scheme);

    private ConsulServiceInstances NewList(ConsulServiceInstance[] instances, bool stale = false)
    {
        _change = new CancellationTokenSource();
        return new ConsulServiceInstances("catalog", instances, stale, DateTimeOffset.UnixEpoch, new CancellationChangeToken(_change.Token));
    }
}
