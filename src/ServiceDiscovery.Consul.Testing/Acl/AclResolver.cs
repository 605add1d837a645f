// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>
/// Turns a request's token into an <see cref="Authorizer"/>, or null for Consul's 403 <c>ACL not found</c>: the token
/// is looked up by its secret in the datacenter's <see cref="AclTables"/>, its rules merged, and the result cached
/// per datacenter until its tables change. No token means the anonymous token, whose policies apply like any other token's.
/// </summary>
internal sealed class AclResolver(ConsulTestAgentOptions options)
{
    public const string NotFound = "ACL not found";

    private readonly Lock _cacheSync = new();
    // Keyed by the store too: a forwarded request (?dc=) or a prepared-query failover resolves the same secret in another
    // datacenter's tables, whose version numbers are their own.
    private readonly Dictionary<(StateStore Store, string Token), (long Version, Authorizer Authorizer)> _cache = [];

    public string DefaultPolicy => !options.Acl.Enabled || options.Acl.DefaultAllow ? "allow" : "deny";

    public Authorizer? Resolve(string token, StateStore store)
    {
        if (!options.Acl.Enabled)
        {
            return Authorizer.AllowAll;
        }

        var secret = token.Length == 0 ? "anonymous" : token;
        long version;
        lock (store.Sync)
        {
            var tables = AclTables.For(store);
            tables.EnsureSeeded(options.Acl, options.TimeProvider.GetUtcNow());
            version = tables.Version;
            lock (_cacheSync)
            {
                if (_cache.TryGetValue((store, token), out var cached) && cached.Version == version)
                {
                    return cached.Authorizer;
                }
            }

            if (tables.TokenBySecret(secret) is not { } record || record.IsExpired(options.TimeProvider.GetUtcNow()))
            {
                return null;
            }

            var authorizer = Authorizer.ForRules(tables.RulesOf(record, options.Datacenter), options.Acl.DefaultAllow, record.AccessorId, sentToken: token.Length > 0);
            if (record.ExpirationTime is null)
            {
                lock (_cacheSync)
                {
                    _cache[(store, token)] = (version, authorizer);
                }
            }

            return authorizer;
        }
    }
}
