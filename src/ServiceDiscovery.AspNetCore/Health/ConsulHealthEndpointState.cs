// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Health;

/// <summary>
/// Whether the app mapped the health endpoint itself (<c>MapConsulHealthChecks()</c>). The startup filter reads it
/// when the request pipeline is built, which is after <c>Program.cs</c> mapped its endpoints, so mapping it turns the
/// automatic endpoint off. One per host.
/// </summary>
internal sealed class ConsulHealthEndpointState
{
    private volatile bool _mappedByApp;

    public bool MappedByApp => _mappedByApp;

    public void MarkMappedByApp() => _mappedByApp = true;
}
