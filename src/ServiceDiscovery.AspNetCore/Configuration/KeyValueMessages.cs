// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>Error texts that name the address, the prefix and the fix. Never the token.</summary>
internal static class KeyValueMessages
{
    public static string Denied(Uri address, string prefix, string what)
        => $"Consul at {address} {what} for the KV prefix '{prefix}'. Give the token a policy with the rule: key_prefix \"{prefix}\" {{ policy = \"read\" }}";

    public static string Failed(Uri address, string prefix, ConsulException exception) => exception.StatusCode == HttpStatusCode.Forbidden
        ? Denied(address, prefix, $"denied the read (403: {exception.ResponseBody})")
        : $"Could not read the Consul KV prefix '{prefix}' from {address}: {exception.Message}";

    public static string RequiredFix(string section)
        => $" Start Consul, fix the address ({section}:Address or CONSUL_HTTP_ADDR), or set {section}:KeyValue:Optional to true to start without these values.";
}
