// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.DependencyInjection;

/// <summary>
/// The client layer's view of <see cref="ConsulOptions"/>: its <see cref="ConsulOptions.Client"/> part, reloaded
/// and validated with the whole. Users keep one section and one configure delegate; the client sees only how to
/// reach Consul.
/// </summary>
internal sealed class ConsulClientOptionsMonitor(IOptionsMonitor<ConsulOptions> options) : IOptionsMonitor<ConsulClientOptions>
{
    public ConsulClientOptions CurrentValue => options.CurrentValue.Client;

    public ConsulClientOptions Get(string? name) => options.Get(name).Client;

    public IDisposable? OnChange(Action<ConsulClientOptions, string?> listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        return options.OnChange((value, name) => listener(value.Client, name));
    }
}
