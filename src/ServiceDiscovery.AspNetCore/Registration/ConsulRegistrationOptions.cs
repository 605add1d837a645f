// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>How registration behaves while the app starts, runs and stops (<c>Consul:Registration</c>).</summary>
public sealed class ConsulRegistrationOptions
{
    /// <summary>Gets or sets a value indicating whether the app registers itself at all (off: discovery only).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether start-up fails when the first registration fails. When off, the app
    /// starts and serves anyway and registration retries in the background.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool FailFast { get; set; }

    /// <summary>Gets or sets the delay before the first retry of a failed registration; later retries double it, with jitter.</summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the longest delay between two registration attempts.</summary>
    /// <value>The default is 1 minute.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Gets or sets the longest time between two answers from the agent about the app's own service (an agent restarted
    /// without its state forgets it; the app then registers again). The app watches the service with a blocking query,
    /// so a loss is normally seen at once, and rechecks every 1 to 2 seconds while the agent is unreachable. At least 1 second.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan AntiEntropyInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets what the app does with its registration when it stops.</summary>
    /// <value>The default is <see cref="ConsulShutdownMode.Deregister"/>.</value>
    public ConsulShutdownMode ShutdownMode { get; set; } = ConsulShutdownMode.Deregister;

    /// <summary>
    /// Gets or sets how long the app keeps serving after leaving Consul on shutdown, so that callers that still hold its
    /// address finish and watchers drop it before the server stops taking requests. Always within the host's shutdown timeout.
    /// </summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan DrainDelay { get; set; } = TimeSpan.FromSeconds(2);
}
