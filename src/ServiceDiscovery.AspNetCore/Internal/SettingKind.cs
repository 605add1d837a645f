// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using ServiceDiscovery.AspNetCore.Consul.Json;

namespace ServiceDiscovery.AspNetCore.Internal;

/// <summary>
/// What a setting under the <c>Consul</c> section takes, read as the configuration binder reads it, with the example a
/// start-up message shows when a value is not of that kind. Durations also take Go's notation (<c>10s</c>, <c>1m30s</c>,
/// <c>250ms</c>, <c>1.5s</c>, <c>1h</c>), Consul's own, besides .NET's <c>00:00:10</c> (docs/configuration.md).
/// </summary>
internal sealed class SettingKind
{
    public static readonly SettingKind Flag = new("true or false", "'true'", static v => bool.TryParse(v, out _));

    public static readonly SettingKind Whole = new("a whole number", "'8'", static v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));

    public static readonly SettingKind Number = new("a number", "'0.5'", static v => double.TryParse(v, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out _));

    public static readonly SettingKind Duration = new("a duration", "'10s', '1m30s', '250ms' or '00:00:10'", static v => TryParseDuration(v, out _));

    private readonly Func<string, bool> _accepts;

    private SettingKind(string description, string example, Func<string, bool> accepts)
    {
        Description = description;
        Example = example;
        _accepts = accepts;
    }

    /// <summary>Gets what the kind is, for a message: <c>a duration</c>.</summary>
    public string Description { get; }

    /// <summary>Gets valid values to show in a message, quoted.</summary>
    public string Example { get; }

    public bool Accepts(string value) => _accepts(value);

    /// <summary>The message for a value of the wrong kind under <paramref name="path"/>; it names the key, the value and an example.</summary>
    public string Invalid(string path, string value) => $"{path} '{value}' is not {Description}. Use e.g. {Example}.";

    /// <summary>.NET's invariant <see cref="TimeSpan"/> text (<c>00:00:10</c>, <c>1.00:00:00</c>), else Go's duration syntax.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
        => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) || GoDuration.TryParse(text.AsSpan().Trim(), out value);

    /// <summary>
    /// A duration in the form the configuration binder reads (<c>c</c>), so Go's <c>10s</c> binds as <c>00:00:10</c>;
    /// text the binder already reads, or that is no duration at all (reported by the caller), is returned unchanged.
    /// </summary>
    public static string NormalizeDuration(string text)
        => !TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out _) && GoDuration.TryParse(text.AsSpan().Trim(), out var value)
            ? value.ToString("c", CultureInfo.InvariantCulture)
            : text;
}
