// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>What the app does with its registration when it stops (<c>Consul:Registration:ShutdownMode</c>).</summary>
public enum ConsulShutdownMode
{
    /// <summary>Deregister the service, then drain. Nothing is left in Consul after a clean stop.</summary>
    Deregister,

    /// <summary>
    /// Put the service in maintenance (critical, so watchers drop it), then drain, and leave it registered: operators
    /// see it down for maintenance, the next start of the same instance id registers it again, and Consul removes it
    /// after <see cref="ConsulCheckOptions.DeregisterCriticalServiceAfter"/> if it does not come back.
    /// </summary>
    Maintenance,
}
