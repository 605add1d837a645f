// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// Reads the source's own <c>Consul:KeyValue</c> keys (Optional, Root, ApplicationName, Environment, WaitTime,
/// SnapshotPath, Prefixes). Read by hand, not bound: the options also hold internal test seams (a logger factory and a
/// clock) that the binding generator would try, and fail, to bind.
/// </summary>
internal static class KeyValueSectionReader
{
    public static void Read(IConfigurationSection consul, ConsulKeyValueConfigurationOptions options)
    {
        var kv = consul.GetSection("KeyValue");
        options.Optional = Flag(kv, "Optional") ?? options.Optional;
        options.Root = kv["Root"] ?? options.Root;
        options.ApplicationName = kv["ApplicationName"] ?? options.ApplicationName;
        options.Environment = kv["Environment"] ?? options.Environment;
        options.WaitTime = Time(kv, "WaitTime") ?? options.WaitTime;
        options.SnapshotPath = kv["SnapshotPath"] ?? options.SnapshotPath;
        foreach (var prefix in kv.GetSection("Prefixes").GetChildren().Select(static c => c.Value).OfType<string>())
        {
            options.Prefixes.Add(prefix);
        }
    }

    private static TimeSpan? Time(IConfigurationSection section, string key) => section[key] is { } raw
        ? SettingKind.TryParseDuration(raw, out var value) ? value : throw Invalid(section, key, raw, $"a duration such as {SettingKind.Duration.Example}")
        : null;

    private static bool? Flag(IConfigurationSection section, string key) => section[key] is { } raw
        ? bool.TryParse(raw, out var value) ? value : throw Invalid(section, key, raw, "true or false")
        : null;

    private static InvalidOperationException Invalid(IConfigurationSection section, string key, string raw, string expected)
        => new($"{section.Path}:{key} is '{raw}', which is not {expected}.");
}
