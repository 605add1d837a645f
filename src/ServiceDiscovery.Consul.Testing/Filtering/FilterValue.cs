// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Filtering;

/// <summary>What a selector yields: a scalar (compared as text), a list of strings, or a string map.</summary>
internal readonly record struct FilterValue(string? Scalar, IReadOnlyList<string>? List, IReadOnlyDictionary<string, string>? Map)
{
    public static FilterValue Of(string value) => new(value, null, null);

    public static FilterValue Of(int value) => new(value.ToString(System.Globalization.CultureInfo.InvariantCulture), null, null);

    public static FilterValue Of(bool value) => new(value ? "true" : "false", null, null);

    public static FilterValue Of(IReadOnlyList<string> value) => new(null, value, null);

    public static FilterValue Of(IReadOnlyDictionary<string, string> value) => new(null, null, value);
}
