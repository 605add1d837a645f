// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// How the discovery cache queries Consul (<c>Consul:Discovery</c>): which instances count as available, and how each
/// watched service name is kept fresh. <see cref="Services"/> overrides the query per service name.
/// </summary>
public sealed class ConsulDiscoveryCacheOptions
{
    /// <summary>
    /// Gets or sets a value indicating whether only instances whose checks are all <c>passing</c> are returned. When
    /// <see langword="false"/>, instances in <c>warning</c> are returned too (with their
    /// <see cref="ConsulServiceInstance.CheckStatus"/>); <c>critical</c> and maintenance instances never are.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool PassingOnly { get; set; } = true;

    /// <summary>Gets the tags an instance must all carry to be returned (Consul matches them case-insensitively).</summary>
    /// <value>The default is empty: no tag filter.</value>
    public IList<string> Tags { get; } = new List<string>();

    /// <summary>
    /// Gets or sets a Consul filter expression applied by Consul to the health entries, e.g.
    /// <c>Service.Meta.version == "2"</c>.
    /// </summary>
    /// <value>The default is none.</value>
    public string? Filter { get; set; }

    /// <summary>Gets or sets the read consistency mode of discovery queries.</summary>
    /// <value>The default is <see cref="ConsulConsistencyMode.Default"/> (the leader answers).</value>
    public ConsulConsistencyMode Consistency { get; set; } = ConsulConsistencyMode.Default;

    /// <summary>
    /// Gets or sets the tagged address to use for instances that have one (e.g. <c>wan</c>, <c>lan_ipv4</c>): the
    /// service's tagged address first, then the node's; instances without it use the usual service-then-node address.
    /// </summary>
    /// <value>The default is none: the service address, else the node address.</value>
    public string? TaggedAddress { get; set; }

    /// <summary>Gets or sets how long one blocking query may wait for a change before Consul answers unchanged.</summary>
    /// <value>The default is 5 minutes (Consul's own default). Consul caps it at 10 minutes.</value>
    public TimeSpan WaitTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets the minimum time between two queries for one service when the last answer did not move Consul's
    /// index (a server answering at once without a change), so such a server cannot cause a request storm.
    /// </summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan MinimumQueryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the delay before the first retry after a failed query; it doubles (with jitter) on each failure.</summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the cap of the retry delay while Consul keeps failing.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long a service name may go without a lookup before its watch stops (it is watched again on
    /// the next lookup). <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> keeps every watch until shutdown.
    /// </summary>
    /// <value>The default is 10 minutes.</value>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets how watched names are kept fresh: one blocking query per name, two blocking queries for the whole
    /// datacenter (refreshing only the names that changed), or per name until <see cref="DatacenterWatchThreshold"/>.
    /// See docs/scale.md.
    /// </summary>
    /// <value>The default is <see cref="ConsulWatchMode.Auto"/>.</value>
    public ConsulWatchMode WatchMode { get; set; } = ConsulWatchMode.Auto;

    /// <summary>
    /// Gets or sets how many watched names <see cref="ConsulWatchMode.Auto"/> watches one by one before it switches to
    /// watching the datacenter (it also switches once per-name watches would exceed <see cref="MaxConnections"/>).
    /// </summary>
    /// <value>The default is 64.</value>
    public int DatacenterWatchThreshold { get; set; } = 64;

    /// <summary>
    /// Gets or sets the most HTTP connections the Consul client opens to the agent (each blocking query holds one).
    /// Per-name watches beyond what fits are served by the datacenter watch instead of queueing.
    /// </summary>
    /// <value>The default is 8 (Consul allows 200 per client address by default).</value>
    public int MaxConnections { get; set; } = 8;

    /// <summary>
    /// Gets or sets how long the last known instances are still served when Consul's answer suddenly empties the list,
    /// collapses it below <see cref="PanicThreshold"/> of its size, or drops instances while Consul's index went
    /// backwards (an agent that restarted without its state). A settled answer ends it early;
    /// <see cref="TimeSpan.Zero"/> believes every answer at once.
    /// </summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan VoidGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets the share of registered instances that must pass their checks for only those to be served. Below
    /// it (as in Envoy's panic mode) all registered instances are served, failing ones included, and passive ejection
    /// avoids the dead ones. It is also the share below which a shrinking list counts as a collapse for
    /// <see cref="VoidGracePeriod"/>. 0 turns panic off (and Consul is then asked for passing instances only).
    /// </summary>
    /// <value>The default is 0.5.</value>
    public double PanicThreshold { get; set; } = 0.5;

    /// <summary>
    /// Gets or sets a file where the last instances Consul confirmed are kept, per watched name (opt-in; fail-static).
    /// When a process starts while Consul is unreachable, a name whose first query fails is served from this file
    /// (marked stale) until Consul answers. Written atomically, at most once per second and only after a change; it
    /// holds instance addresses, tags and metadata, never the token. See docs/reliability.md.
    /// </summary>
    /// <value>The default is none: no snapshot is kept.</value>
    public string? SnapshotPath { get; set; }

    /// <summary>
    /// Gets or sets how old saved instances in <see cref="SnapshotPath"/> may be and still be served; older ones are
    /// ignored (and dropped from the file), as the instances they name have likely moved.
    /// </summary>
    /// <value>The default is 1 day.</value>
    public TimeSpan SnapshotMaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Gets where discovery looks when no instance of a name passes in the local datacenter: other datacenters, watched
    /// only while needed, until one local instance passes again. See docs/multi-datacenter.md.
    /// </summary>
    /// <value>The default is no failover.</value>
    public ConsulDiscoveryFailoverOptions Failover { get; } = new();

    /// <summary>
    /// Gets the per-service query overrides, keyed by service name (case-insensitive), bound from
    /// <c>Consul:Discovery:Services:{name}</c>. Unset values fall back to the settings above.
    /// </summary>
    public IDictionary<string, ConsulServiceQueryOptions> Services { get; } =
        new Dictionary<string, ConsulServiceQueryOptions>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The configuration path these settings were bound from (<c>Consul:Discovery</c> unless the app bound another
    /// section), so logs name the keys the user really has. Set when the options are built, not bound.
    /// </summary>
    internal string SectionPath { get; set; } = "Consul:Discovery";
}
