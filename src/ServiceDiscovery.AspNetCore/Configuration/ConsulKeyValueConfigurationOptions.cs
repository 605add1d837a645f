// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// Settings of the Consul KV configuration source (<c>AddConsulKeyValue</c>). Connection values left empty fall back to
/// Consul's CLI variables (<c>CONSUL_HTTP_ADDR</c>, <c>CONSUL_HTTP_TOKEN</c>, ...), then <c>http://127.0.0.1:8500</c>.
/// See docs/configuration.md.
/// </summary>
public sealed class ConsulKeyValueConfigurationOptions
{
    /// <summary>Gets or sets the agent's HTTP address, e.g. <c>http://127.0.0.1:8500</c>.</summary>
    public string? Address { get => Client.Address; set => Client.Address = value; }

    /// <summary>Gets or sets the ACL token sent as <c>X-Consul-Token</c>. Never logged.</summary>
    public string? Token { get => Client.Token; set => Client.Token = value; }

    /// <summary>Gets or sets the datacenter to read from; empty means the agent's own.</summary>
    public string? Datacenter { get => Client.Datacenter; set => Client.Datacenter = value; }

    /// <summary>Gets or sets how long one non-blocking request may take (also the start-up read's limit).</summary>
    public TimeSpan Timeout { get => Client.Timeout; set => Client.Timeout = value; }

    /// <summary>Gets the TLS settings for an <c>https://</c> address.</summary>
    public ConsulTlsOptions Tls => Client.Tls;

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
    /// Gets or sets where the source logs (malformed documents, outages, ACL denials). A configuration source is built
    /// before the host's logging exists, so it has its own; <see langword="null"/> discards its logs.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>Gets or sets the clock for retry delays; tests substitute their own.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal ConsulClientOptions Client { get; } = new();
}
