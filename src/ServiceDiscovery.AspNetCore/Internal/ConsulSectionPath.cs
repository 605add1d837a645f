// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Internal;

/// <summary>
/// The configuration path <see cref="ConsulOptions"/> was bound from (<c>Consul</c> unless the app bound another
/// section), so that validators in every layer name keys as the user wrote them without depending on the DI layer.
/// </summary>
internal sealed record ConsulSectionPath(string Path)
{
    /// <summary>The default section, <c>Consul</c>.</summary>
    public static ConsulSectionPath Default { get; } = new(ConsulOptions.DefaultConfigSectionName);

    /// <summary>The full key of <paramref name="relative"/> under the section, e.g. <c>Consul:Discovery</c>.</summary>
    public string Key(string relative) => $"{Path}:{relative}";
}
