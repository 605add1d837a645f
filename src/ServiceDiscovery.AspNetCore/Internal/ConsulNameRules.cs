// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Internal;

/// <summary>
/// What a service name and a tag may contain so that every way of reaching the service works: the name is the host of
/// <c>http://name/</c> URLs and a DNS label in <c>name.service.consul</c> (Consul warns, and leaves the service out of
/// DNS, when a name has anything but letters, digits and dashes), so it must be a DNS label. Tags travel as query
/// parameters and DNS prefixes; whitespace and control characters make them unreachable.
/// </summary>
internal static class ConsulNameRules
{
    /// <summary>The longest DNS label.</summary>
    public const int MaxServiceNameLength = 63;

    /// <summary>The rule, worded for messages.</summary>
    public const string ServiceNameRule = "a service name must be a DNS label: 1 to 63 ASCII letters, digits and '-', not starting or ending with '-' (e.g. 'orders' or 'catalog-api')";

    /// <summary>The tag rule, worded for messages.</summary>
    public const string TagRule = "a tag must not contain whitespace or control characters";

    public static bool IsValidServiceName(string name)
        => name.Length is > 0 and <= MaxServiceNameLength
            && name[0] != '-' && name[^1] != '-'
            && name.All(static c => char.IsAsciiLetterOrDigit(c) || c == '-');

    public static bool IsValidTag(string tag) => !tag.Any(static c => char.IsWhiteSpace(c) || char.IsControl(c));
}
