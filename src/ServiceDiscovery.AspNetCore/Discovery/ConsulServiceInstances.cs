// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections;
using Microsoft.Extensions.Primitives;

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// The instances of one service the discovery cache holds at a moment: an immutable list, ordered by instance id then
/// node, plus whether Consul confirmed it (<see cref="IsStale"/>) and a <see cref="ChangeToken"/> that fires when a
/// newer list replaces this one. An empty list is a normal answer: the service has no available instance.
/// </summary>
public sealed class ConsulServiceInstances : IReadOnlyList<ConsulServiceInstance>
{
    private static readonly IChangeToken NeverChanges = new CancellationChangeToken(CancellationToken.None);

    private readonly ConsulServiceInstance[] _items;

    /// <summary>Initializes a new instance of the <see cref="ConsulServiceInstances"/> class (for tests and custom discovery sources).</summary>
    /// <param name="serviceName">The service name.</param>
    /// <param name="instances">The instances, copied in the given order.</param>
    /// <param name="isStale">Whether the list is last-known-good data Consul could not confirm.</param>
    /// <param name="lastUpdated">When Consul sent this list.</param>
    /// <param name="changeToken">Fires when a newer list replaces this one; <see langword="null"/> for one that never changes.</param>
    /// <exception cref="ArgumentNullException"><paramref name="serviceName"/> or <paramref name="instances"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="serviceName"/> is empty.</exception>
    public ConsulServiceInstances(
        string serviceName,
        IEnumerable<ConsulServiceInstance> instances,
        bool isStale = false,
        DateTimeOffset lastUpdated = default,
        IChangeToken? changeToken = null)
        : this(serviceName, [.. ValidateInstances(instances)], index: 0, lastUpdated, isStale, changeToken ?? NeverChanges)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
    }

    private ConsulServiceInstances(string serviceName, ConsulServiceInstance[] items, ulong index, DateTimeOffset lastUpdated, bool isStale, IChangeToken changeToken)
    {
        ServiceName = serviceName;
        _items = items;
        Index = index;
        LastUpdated = lastUpdated;
        IsStale = isStale;
        ChangeToken = changeToken;
    }

    /// <summary>Gets the service name.</summary>
    public string ServiceName { get; }

    /// <summary>Gets the number of instances.</summary>
    public int Count => _items.Length;

    /// <summary>
    /// Gets a value indicating whether this is last-known-good data: Consul could not be reached (or answered with an
    /// error) since, so the list may be out of date. It is cleared as soon as Consul answers again.
    /// </summary>
    public bool IsStale { get; }

    /// <summary>Gets when Consul sent the instances in this list (the time of the answer that last changed them).</summary>
    public DateTimeOffset LastUpdated { get; }

    /// <summary>Gets Consul's <c>X-Consul-Index</c> for this list; 0 for lists not built from a Consul answer.</summary>
    public ulong Index { get; }

    /// <summary>Gets a token that fires once a newer list (or staleness) replaces this one, or the name stops being watched.</summary>
    public IChangeToken ChangeToken { get; }

    /// <summary>Gets the instance at <paramref name="index"/>.</summary>
    /// <param name="index">The zero-based position.</param>
    public ConsulServiceInstance this[int index] => _items[index];

    /// <summary>Gets the instances as a span, for allocation-free selection.</summary>
    /// <returns>The instances.</returns>
    public ReadOnlySpan<ConsulServiceInstance> AsSpan() => _items;

    /// <summary>Returns an allocation-free enumerator.</summary>
    /// <returns>The enumerator.</returns>
    public Enumerator GetEnumerator() => new(_items);

    IEnumerator<ConsulServiceInstance> IEnumerable<ConsulServiceInstance>.GetEnumerator() => ((IEnumerable<ConsulServiceInstance>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _items.GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => $"{ServiceName}: {Count} instance(s){(IsStale ? " (stale)" : "")}";

    /// <summary>A list built from a Consul answer, taking ownership of <paramref name="items"/>.</summary>
    internal static ConsulServiceInstances Create(string serviceName, ConsulServiceInstance[] items, ulong index, DateTimeOffset lastUpdated, bool isStale, IChangeToken changeToken)
        => new(serviceName, items, index, lastUpdated, isStale, changeToken);

    /// <summary>The same instances with another staleness flag and token (instances are shared, not copied).</summary>
    internal ConsulServiceInstances With(bool isStale, IChangeToken changeToken)
        => new(ServiceName, _items, Index, LastUpdated, isStale, changeToken);

    private static IEnumerable<ConsulServiceInstance> ValidateInstances(IEnumerable<ConsulServiceInstance> instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        foreach (var instance in instances)
        {
            ArgumentNullException.ThrowIfNull(instance, nameof(instances));
            yield return instance;
        }
    }

    /// <summary>Enumerates a <see cref="ConsulServiceInstances"/> without allocating.</summary>
    public struct Enumerator : IEnumerator<ConsulServiceInstance>
    {
        private readonly ConsulServiceInstance[] _items;
        private int _index;

        internal Enumerator(ConsulServiceInstance[] items)
        {
            _items = items;
            _index = -1;
        }

        /// <inheritdoc />
        public readonly ConsulServiceInstance Current => _items[_index];

        readonly object IEnumerator.Current => Current;

        /// <inheritdoc />
        public bool MoveNext() => ++_index < _items.Length;

        /// <inheritdoc />
        public void Reset() => _index = -1;

        /// <inheritdoc />
        public readonly void Dispose()
        {
        }
    }
}
