// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// What one watched name asks Consul for: the name, and the <c>Consul:Discovery</c> settings with that name's
/// <c>Consul:Discovery:Services:{name}</c> overrides applied. Fixed for the life of a watch.
/// </summary>
internal sealed class DiscoveryQuery
{
    private DiscoveryQuery(string serviceName, bool passingOnly, IReadOnlyList<string> tags, string? filter, string? datacenter, ConsulConsistencyMode consistency, string? taggedAddress, bool includeFailing, FailoverPlan? failover)
    {
        ServiceName = serviceName;
        PassingOnly = passingOnly;
        Tags = tags;
        Filter = filter;
        Datacenter = datacenter;
        Consistency = consistency;
        TaggedAddress = taggedAddress;
        IncludeFailing = includeFailing;
        Failover = failover;
        HealthQuery = new HealthServiceQuery { PassingOnly = passingOnly && !includeFailing, Tags = tags };
    }

    public string ServiceName { get; }

    /// <summary>Only instances whose checks all pass; otherwise warning ones too (filtered client-side).</summary>
    public bool PassingOnly { get; }

    public IReadOnlyList<string> Tags { get; }

    /// <summary>Failing instances are fetched too (the panic threshold needs them); they are filtered out client-side.</summary>
    public bool IncludeFailing { get; }

    public string? Filter { get; }

    /// <summary>The datacenter asked for; <see langword="null"/> lets the client use <c>Consul:Datacenter</c>, then the agent's.</summary>
    public string? Datacenter { get; }

    public ConsulConsistencyMode Consistency { get; }

    public string? TaggedAddress { get; }

    /// <summary>Where the name fails over to when no local instance passes; <see langword="null"/> without failover.</summary>
    public FailoverPlan? Failover { get; }

    /// <summary>
    /// The endpoint parameters. With warning or failing instances wanted, <c>passing</c> is not sent at all: Consul's flag drops
    /// warning too (docs/consul-http-api.md §6), so critical and maintenance instances are removed client-side instead.
    /// </summary>
    public HealthServiceQuery HealthQuery { get; }

    public static DiscoveryQuery Create(string serviceName, ConsulOptions options)
    {
        var defaults = options.Discovery;
        defaults.Services.TryGetValue(serviceName, out var overrides);
        var tags = overrides is { Tags.Count: > 0 } ? overrides.Tags : defaults.Tags;
        return new DiscoveryQuery(
            serviceName,
            overrides?.PassingOnly ?? defaults.PassingOnly,
            [.. tags],
            NullIfEmpty(overrides?.Filter) ?? NullIfEmpty(defaults.Filter),
            NullIfEmpty(overrides?.Datacenter),
            overrides?.Consistency ?? defaults.Consistency,
            NullIfEmpty(overrides?.TaggedAddress) ?? NullIfEmpty(defaults.TaggedAddress),
            defaults.PanicThreshold > 0,
            FailoverPlan.Create(serviceName, options));
    }

    /// <summary>The same query asked of another datacenter (a failover target, which does not fail over further).</summary>
    public DiscoveryQuery ForDatacenter(string datacenter)
        => new(ServiceName, PassingOnly, Tags, Filter, datacenter, Consistency, TaggedAddress, IncludeFailing, failover: null);

    public QueryOptions ToQueryOptions(ulong index, TimeSpan wait) => new()
    {
        Index = index,
        Wait = wait,
        Consistency = Consistency,
        Datacenter = Datacenter,
        Filter = Filter,
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
