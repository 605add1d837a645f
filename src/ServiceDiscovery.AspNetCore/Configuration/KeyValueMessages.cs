// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>Error texts that name the address, the prefix and the fix. Never the token.</summary>
internal static class KeyValueMessages
{
    public static string Denied(Uri address, string prefix, string what)
        => $"Consul at {address} {what} for the KV prefix '{prefix}'. Give the token a policy with the rule: {ReadRule(prefix)}";

    /// <summary>The ACL rule that lets a token read <paramref name="prefix"/>.</summary>
    public static string ReadRule(string prefix) => $"key_prefix \"{prefix}\" {{ policy = \"read\" }}";

    /// <summary>Why reading a prefix failed, with the fix when it is the token's policy: the cause in a log line that names the address and prefix itself.</summary>
    public static string Cause(string prefix, ConsulException exception) => exception.StatusCode == HttpStatusCode.Forbidden
        ? $"Consul denied the read (403: {exception.ResponseBody}). Give the token a policy with the rule: {ReadRule(prefix)}"
        : exception.Message;

    public static string Failed(Uri address, string prefix, ConsulException exception)
        => $"Could not read the Consul KV prefix '{prefix}' from {address}: {Cause(prefix, exception)}";

    public static string RequiredFix(string section)
        => $" Start Consul, fix the address ({section}:Address or CONSUL_HTTP_ADDR), or set {section}:KeyValue:Optional to true to start without these values.";
}
