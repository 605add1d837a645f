// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// Settings of the Consul KV configuration source (<c>AddConsulKeyValue</c>), bound from <c>Consul:KeyValue</c>. How to
/// reach Consul is not here: the source reads the connection keys of the <c>Consul</c> section (<c>Address</c>,
/// <c>Token</c>, <c>TokenFile</c>, <c>Datacenter</c>, <c>Timeout</c>, <c>Tls</c>), the same keys <see cref="ConsulOptions"/>
/// binds, then Consul's CLI variables (<c>CONSUL_HTTP_ADDR</c>, <c>CONSUL_HTTP_TOKEN</c>, ...). See docs/configuration.md.
/// </summary>
public sealed class ConsulKeyValueConfigurationOptions
{
    /// <summary>Gets or sets the first segment of the layered prefixes. Default <c>config</c>.</summary>
    public string Root { get; set; } = "config";

    /// <summary>
    /// Gets or sets the application name in <c>{Root}/{ApplicationName}/</c>. Default: <c>Consul:Service:Name</c>,
    /// then the host's <c>applicationName</c>, then the entry assembly's name.
    /// </summary>
    public string? ApplicationName { get; set; }

    /// <summary>
    /// Gets or sets the environment in <c>{Root}/{ApplicationName},{Environment}/</c>. Default: the host's
    /// <c>environment</c>, then <c>DOTNET_ENVIRONMENT</c>/<c>ASPNETCORE_ENVIRONMENT</c>; empty leaves that layer out.
    /// </summary>
    public string? Environment { get; set; }

    /// <summary>
    /// Gets the prefixes to read, lowest precedence first. Empty (the default) means the layered
    /// <c>{Root}/application/</c>, <c>{Root}/{ApplicationName}/</c>, <c>{Root}/{ApplicationName},{Environment}/</c>.
    /// </summary>
    public IList<string> Prefixes { get; } = [];

    /// <summary>
    /// Gets or sets a value indicating whether the app may start while Consul is unreachable (it then loads the values
    /// as soon as Consul answers). When <see langword="false"/> (the default), start-up fails naming the address and prefix.
    /// </summary>
    public bool Optional { get; set; }

    /// <summary>Gets or sets the <c>wait</c> of each blocking query. Default 5 minutes, Consul's own default.</summary>
    public TimeSpan WaitTime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets a file where the last good values are kept (opt-in; <see langword="null"/> keeps none). When Consul
    /// is unreachable at start, the app starts from that file (also when not <see cref="Optional"/>, with a warning
    /// naming its age) until Consul answers. It holds the configuration values, never the token: protect it like
    /// appsettings.json.
    /// </summary>
    public string? SnapshotPath { get; set; }

    /// <summary>
    /// Gets or sets a hook called when reading a prefix at start-up fails, before the source decides what to do: it can
    /// observe the failure and set <see cref="ConsulKeyValueLoadExceptionContext.Ignore"/> to start without the prefix's
    /// values. Runs inside <c>Build()</c>; an exception it throws fails start-up. Not bound from configuration.
    /// </summary>
    public Action<ConsulKeyValueLoadExceptionContext>? OnLoadException { get; set; }

    /// <summary>
    /// Gets or sets a hook called when a prefix's watch fails while the app runs (the values stay as they were): it can
    /// observe the failure and change <see cref="ConsulKeyValueWatchExceptionContext.RetryDelay"/>. Runs on the watch's
    /// thread; an exception it throws is logged and the built-in delay applies. Not bound from configuration.
    /// </summary>
    public Action<ConsulKeyValueWatchExceptionContext>? OnWatchException { get; set; }

    /// <summary>Where the source logs before the host's logging exists; tests set it, apps get the host's (docs/configuration.md).</summary>
    internal ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>The clock for retry delays and the snapshot's age; tests substitute their own.</summary>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
