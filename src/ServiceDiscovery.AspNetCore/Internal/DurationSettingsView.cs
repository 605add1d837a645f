// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace ServiceDiscovery.AspNetCore.Internal;

/// <summary>
/// A view of the <c>Consul</c> section in which every duration setting reads in the form the configuration binder
/// takes: Go's <c>10s</c> reads as <c>00:00:10</c>. The binder's source generator parses a <see cref="TimeSpan"/> with
/// <see cref="TimeSpan.Parse(string, IFormatProvider)"/> only and cannot be extended, so every binder of the section
/// reads it through this view instead (<see cref="ConsulOptionsSection"/>), and no setting is left out. Everything else
/// (keys, paths, other values, the reload token) is the section's own.
/// </summary>
internal sealed class DurationSettingsView : IConfigurationSection
{
    private readonly IConfiguration _inner;
    private readonly string _relative;
    private readonly Func<string, bool> _isDuration;

    private DurationSettingsView(IConfiguration inner, string relative, Func<string, bool> isDuration)
    {
        _inner = inner;
        _relative = relative;
        _isDuration = isDuration;
    }

    public string Key => (_inner as IConfigurationSection)?.Key ?? string.Empty;

    public string Path => (_inner as IConfigurationSection)?.Path ?? string.Empty;

    public string? Value
    {
        get => Read(_relative, (_inner as IConfigurationSection)?.Value);
        set => ((IConfigurationSection)_inner).Value = value;
    }

    public string? this[string key]
    {
        get => Read(Child(key), _inner[key]);
        set => _inner[key] = value;
    }

    /// <summary>Wraps <paramref name="section"/>; <paramref name="isDuration"/> tells, from a key's path relative to it (<c>Registration:DrainDelay</c>), whether the key takes a duration.</summary>
    public static IConfiguration? Wrap(IConfiguration? section, Func<string, bool> isDuration)
        => section is null or DurationSettingsView ? section : new DurationSettingsView(section, string.Empty, isDuration);

    public IConfigurationSection GetSection(string key) => new DurationSettingsView(_inner.GetSection(key), Child(key), _isDuration);

    public IEnumerable<IConfigurationSection> GetChildren() => _inner.GetChildren().Select(c => new DurationSettingsView(c, Child(c.Key), _isDuration));

    public IChangeToken GetReloadToken() => _inner.GetReloadToken();

    private string Child(string key) => _relative.Length == 0 ? key : $"{_relative}:{key}";

    private string? Read(string path, string? value) => value is not null && path.Length > 0 && _isDuration(path) ? SettingKind.NormalizeDuration(value) : value;
}
