// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>
/// Turns application names and host names into service names and instance ids that work everywhere Consul puts them:
/// DNS labels (<c>name.service.consul</c>), URL path segments (<c>/v1/agent/service/{id}</c>) and check ids.
/// </summary>
internal static class ConsulNames
{
    /// <summary>
    /// A DNS-friendly service name: lower case ASCII letters and digits, every other run of characters one <c>-</c>,
    /// no leading or trailing <c>-</c>. <c>Catalog.Api</c> becomes <c>catalog-api</c>; empty when nothing is left.
    /// </summary>
    public static string ToServiceName(string? applicationName) => Normalize(applicationName, keepPunctuation: false);

    /// <summary>
    /// An instance id: lower case, letters, digits, <c>-</c>, <c>_</c> and <c>.</c> kept, every other run of characters
    /// (<c>:</c> of IPv6 literals, <c>/</c>, spaces) one <c>-</c>.
    /// </summary>
    public static string ToInstanceId(string serviceName, string host, int port)
        => Normalize(FormattableString.Invariant($"{serviceName}-{host}-{port}"), keepPunctuation: true);

    private static string Normalize(string? value, bool keepPunctuation)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return "";
        }

        var builder = new StringBuilder(value.Length);
        var pendingSeparator = false;
        foreach (var c in value)
        {
            var keep = char.IsAsciiLetterOrDigit(c) || (keepPunctuation && c is '_' or '.');
            if (keep)
            {
                if (pendingSeparator && builder.Length > 0)
                {
                    builder.Append('-');
                }

                pendingSeparator = false;
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                pendingSeparator = true;
            }
        }

        return builder.ToString();
    }
}
