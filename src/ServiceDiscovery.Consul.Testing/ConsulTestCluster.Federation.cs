// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Options;
using ServiceDiscovery.Consul.Testing.Federation;

namespace ServiceDiscovery.Consul.Testing;

/// <summary>Several datacenters federated over a simulated WAN (see <see cref="StartDatacentersAsync"/>).</summary>
public sealed partial class ConsulTestCluster
{
    private List<ConsulTestCluster> _datacenters = [];
    private WanFederation? _wan;
    private WanDatacenter? _wanEntry;

    /// <summary>Gets the name of this cluster's datacenter.</summary>
    public string Datacenter => _options.Datacenter;

    /// <summary>
    /// Gets every datacenter of the federation in the order they were given, the primary first; a cluster started
    /// with an agent count has one, itself.
    /// </summary>
    public IReadOnlyList<ConsulTestCluster> Datacenters => _datacenters;

    /// <summary>
    /// Gets or sets a value indicating whether other datacenters reach this one over the WAN. While false, a request
    /// another datacenter forwards here (<c>?dc=</c>, a catalog write naming it, prepared-query failover) fails with 500
    /// <c>Remote DC has no server currently reachable</c> and its server is <c>failed</c> in <c>/v1/agent/members?wan=1</c>;
    /// requests to its own agents work as before.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a cluster of one datacenter, which has no WAN.</exception>
    public bool WanReachable
    {
        get => _wanEntry?.Reachable ?? true;
        set => RequireWan().Reachable = value;
    }

    /// <summary>
    /// Gets or sets the delay every request forwarded into this datacenter waits before it is answered (real time,
    /// not the options' clock), as a slow WAN link. It does not move the datacenter's <see cref="ConsulTestDatacenterOptions.WanPosition"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a cluster of one datacenter, which has no WAN.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan WanLatency
    {
        get => _wanEntry?.Latency ?? TimeSpan.Zero;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            RequireWan().Latency = value;
        }
    }

    /// <summary>
    /// Starts several datacenters federated over a simulated WAN, each with its own servers' state (catalog, KV,
    /// sessions, prepared queries, index) and agents. <c>?dc=</c> on catalog, health, KV, session, txn, coordinate and
    /// prepared-query endpoints is forwarded to the named datacenter and answered from its state, with its index;
    /// <c>/v1/catalog/datacenters</c> lists them by estimated round-trip time from the asking agent's datacenter.
    /// </summary>
    /// <param name="datacenters">The datacenters; the first is the primary and the cluster returned.</param>
    /// <param name="options">
    /// Options every agent runs with, as for <see cref="StartAsync(int, ConsulTestAgentOptions?, CancellationToken)"/>;
    /// <see cref="ConsulTestAgentOptions.Datacenter"/> is not used: each agent is in its datacenter.
    /// </param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The primary datacenter; disposing it stops every datacenter.</returns>
    /// <exception cref="OptionsValidationException">The datacenters or the options are invalid.</exception>
    /// <example>
    /// <code>
    /// await using var cluster = await ConsulTestCluster.StartDatacentersAsync(
    ///     [new() { Name = "dc1", Agents = 2 }, new() { Name = "dc2", WanPosition = new(30, 0) }]);
    /// var dc2 = cluster.Datacenters[1];
    /// using var http = new HttpClient { BaseAddress = cluster.Agents[1].Address };
    /// var remote = await http.GetStringAsync("/v1/health/service/web?dc=dc2"); // dc2's instances
    /// </code>
    /// </example>
    public static async Task<ConsulTestCluster> StartDatacentersAsync(
        IReadOnlyList<ConsulTestDatacenterOptions> datacenters, ConsulTestAgentOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(datacenters);
        var failures = ConsulTestDatacenterOptionsValidator.Validate(datacenters);
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(ConsulTestDatacenterOptions), typeof(ConsulTestDatacenterOptions), failures);
        }

        options ??= new ConsulTestAgentOptions();
        ThrowIfInvalid(options);
        var addresses = LoopbackAddresses(datacenters.Sum(d => d.Agents));
        var distinct = addresses.Length > 1 && !addresses[1].Equals(addresses[0]);
        var clusters = new List<ConsulTestCluster>();
        var next = 0;
        foreach (var dc in datacenters)
        {
            clusters.Add(Create(options.WithDatacenter(dc.Name), addresses[next..(next + dc.Agents)]));
            next += dc.Agents;
        }

        var wan = new WanFederation([.. clusters.Select((c, i) => c._wanEntry = new WanDatacenter(c.Datacenter, c._store, datacenters[i].WanPosition))]);
        foreach (var cluster in clusters)
        {
            cluster._wan = wan;
            cluster._datacenters = clusters;
        }

        try
        {
            for (var i = 0; i < clusters.Count; i++)
            {
                await clusters[i].StartAgentsAsync(i == 0 || distinct ? options.Port : 0, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await clusters[0].DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return clusters[0];
    }

    private WanDatacenter RequireWan() =>
        _wanEntry ?? throw new InvalidOperationException(
            $"The cluster runs one datacenter ({Datacenter}) and has no WAN; start it with ConsulTestCluster.StartDatacentersAsync to use WAN fault hooks.");
}
