// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>Turns a request's token into an <see cref="Authorizer"/>, or null for Consul's 403 <c>ACL not found</c>.</summary>
internal sealed class AclResolver(ConsulTestAgentAclOptions options)
{
    public const string NotFound = "ACL not found";

    public string DefaultPolicy => !options.Enabled || options.DefaultAllow ? "allow" : "deny";

    public Authorizer? Resolve(string token)
    {
        if (!options.Enabled)
        {
            return Authorizer.AllowAll;
        }

        if (token.Length == 0)
        {
            return Authorizer.Anonymous(options.DefaultAllow);
        }

        if (options.ManagementToken is { Length: > 0 } management && token == management)
        {
            return Authorizer.Management();
        }

        foreach (var candidate in options.Tokens)
        {
            if (candidate.SecretId == token)
            {
                return Authorizer.ForToken(candidate, options.DefaultAllow);
            }
        }

        return token == "anonymous" ? Authorizer.Anonymous(options.DefaultAllow) : null;
    }
}
