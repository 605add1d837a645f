// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;

namespace ServiceDiscovery.AspNetCore.Internal;

/// <summary>
/// The configuration section <see cref="ConsulOptions"/> is bound from (<see langword="null"/> when the app has no
/// configuration), so that every layer names keys as the user wrote them: <c>Apps:Orders:Discovery:WaitTime</c> when the
/// app bound <c>Apps:Orders</c>, not a hard-coded <c>Consul:</c>. Lives below every layer that reads it.
/// </summary>
internal sealed record ConsulOptionsSection(IConfiguration? Section)
{
    /// <summary>The default section, <c>Consul</c>, for code that runs without dependency injection.</summary>
    public static ConsulOptionsSection Default { get; } = new((IConfiguration?)null);

    /// <summary>The section's configuration path: <c>Consul</c> unless another section was bound.</summary>
    public string Path => (Section as IConfigurationSection)?.Path is { Length: > 0 } path ? path : ConsulOptions.DefaultConfigSectionName;

    /// <summary>The full key of <paramref name="relative"/> under the section, e.g. <c>Consul:Discovery</c>.</summary>
    public string Key(string relative) => $"{Path}:{relative}";
}
