// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>Error texts that name the address, the prefix and the fix. Never the token.</summary>
internal static class KeyValueMessages
{
    /// <summary>Consul hid keys of a recursive read from the token: the start-up failure, with <see cref="HiddenFix"/>.</summary>
    public static string Hidden(Uri address, string prefix, int readable)
        => $"Consul at {address} hid keys from the token (X-Consul-Results-Filtered-By-ACLs) for the KV prefix '{prefix}'. {HiddenFix(prefix, readable)}";

    /// <summary>
    /// What to do about hidden keys. Consul leaves them out without naming them (docs/consul-http-api.md §11), so the
    /// answer depends on what the token did read: nothing means no read rule covers the prefix; some keys mean the
    /// token reads the prefix and a narrower rule below it denies the others, where adding the prefix rule again is no fix.
    /// </summary>
    public static string HiddenFix(string prefix, int readable) => readable == 0
        ? $"Give the token a policy with the rule: {ReadRule(prefix)}"
        : $"The token read {readable} key(s) under it, so it may read the prefix, but a narrower rule denies the others: a key or key_prefix rule "
            + $"below '{prefix}' whose policy is \"deny\" or \"list\" (or a read rule that covers only part of the prefix). Consul does not name the keys it hides: "
            + $"list the token's rules (consul acl token read -self -expanded), find that rule and make it \"read\", or move those keys out of '{prefix}'.";

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
