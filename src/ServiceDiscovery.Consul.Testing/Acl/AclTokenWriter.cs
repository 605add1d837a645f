// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>
/// Creates, updates, clones and deletes tokens with the checks and texts of Consul's token writer
/// (agent/consul/auth/token_writer.go). Every method runs under the store's lock and returns Consul's error text,
/// or null on success.
/// </summary>
internal sealed class AclTokenWriter(StateStore store, AclTables tables, DateTimeOffset now)
{
    /// <summary>Consul's default <c>acl.token_min_expiration_ttl</c> and <c>acl.token_max_expiration_ttl</c>.</summary>
    private static readonly TimeSpan MinExpirationTtl = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxExpirationTtl = TimeSpan.FromHours(24);

    public string? Create(AclTokenRequest request, out AclTokenRecord? created)
    {
        created = null;
        var accessor = request.AccessorId.Length == 0 ? NewId() : request.AccessorId;
        if (request.AccessorId.Length > 0 && (IdError(accessor) is { } accessorError))
        {
            return $"Invalid Token: AccessorID - {accessorError}";
        }

        if (request.AccessorId.Length > 0 && InUse(accessor))
        {
            return "Invalid Token: AccessorID is already in use";
        }

        var secret = request.SecretId.Length == 0 ? NewId() : request.SecretId;
        if (request.SecretId.Length > 0 && IdError(secret) is { } secretError)
        {
            return $"Invalid Token: SecretID - {secretError}";
        }

        if (request.SecretId.Length > 0 && InUse(secret))
        {
            return "Invalid Token: SecretID is already in use";
        }

        var expiration = request.ExpirationTime;
        if (request.ExpirationTtl.Nanoseconds < 0)
        {
            return $"Token Expiration TTL '{request.ExpirationTtl}' should be > 0";
        }

        if (request.ExpirationTtl.IsPositive)
        {
            if (expiration is not null)
            {
                return "Token Expiration TTL and Expiration Time cannot both be set";
            }

            expiration = now + request.ExpirationTtl.ToTimeSpan();
        }

        if (expiration is { } expiry)
        {
            if (expiry < now)
            {
                return "ExpirationTime cannot be before CreateTime";
            }

            // A TTL's expiry is exactly the TTL away (Consul's times count nanoseconds): compare it unrounded.
            var expiresIn = request.ExpirationTtl.IsPositive ? request.ExpirationTtl : GoDuration.FromTimeSpan(expiry - now);
            if (expiresIn > GoDuration.FromTimeSpan(MaxExpirationTtl))
            {
                return $"ExpirationTime cannot be more than {GoDuration.Format(MaxExpirationTtl)} in the future (was {expiresIn})";
            }

            if (expiresIn < GoDuration.FromTimeSpan(MinExpirationTtl))
            {
                return $"ExpirationTime cannot be less than {GoDuration.Format(MinExpirationTtl)} in the future (was {expiresIn})";
            }
        }

        if (request.AuthMethod.Length > 0)
        {
            return "AuthMethod field is disallowed outside of login";
        }

        if (Normalize(request, out var policies, out var roles) is { } linkError)
        {
            return linkError;
        }

        var index = store.NextIndex();
        created = new AclTokenRecord
        {
            AccessorId = accessor, SecretId = secret, Description = request.Description, Local = request.Local, ExpirationTime = expiration,
            CreateTime = now, CreateIndex = index, ModifyIndex = index, Policies = policies, Roles = roles,
            ServiceIdentities = Deduplicate(request.ServiceIdentities), NodeIdentities = request.NodeIdentities.Distinct().ToList(),
            TemplatedPolicies = request.TemplatedPolicies,
        };
        Commit(created, index);
        return null;
    }

    public string? Update(AclTokenRequest request, out AclTokenRecord? updated)
    {
        updated = null;
        if (!AclNames.IsUuid(request.AccessorId))
        {
            return "AccessorID is not a valid UUID";
        }

        if (!tables.Tokens.TryGetValue(request.AccessorId, out var match) || match.IsExpired(now))
        {
            return $"Cannot find token \"{request.AccessorId}\"";
        }

        if (request.SecretId.Length > 0 && request.SecretId != match.SecretId)
        {
            return "Changing a token's SecretID is not permitted";
        }

        if (request.Local != match.Local)
        {
            return $"Cannot toggle local mode of {match.AccessorId}";
        }

        if (request.AuthMethod.Length > 0 && request.AuthMethod != match.AuthMethod)
        {
            return $"Cannot change AuthMethod of {match.AccessorId}";
        }

        if (request.ExpirationTtl.Nanoseconds != 0 || (request.ExpirationTime is { } time && time != match.ExpirationTime))
        {
            return $"Cannot change expiration time of {match.AccessorId}";
        }

        if (Normalize(request, out var policies, out var roles) is { } linkError)
        {
            return linkError;
        }

        var index = store.NextIndex();
        updated = new AclTokenRecord
        {
            AccessorId = match.AccessorId, SecretId = match.SecretId, Description = request.Description, Local = match.Local,
            AuthMethod = match.AuthMethod, ExpirationTime = match.ExpirationTime, CreateTime = match.CreateTime,
            CreateIndex = match.CreateIndex, ModifyIndex = index, Policies = policies, Roles = roles,
            ServiceIdentities = Deduplicate(request.ServiceIdentities), NodeIdentities = request.NodeIdentities.Distinct().ToList(),
            TemplatedPolicies = request.TemplatedPolicies,
        };
        Commit(updated, index);
        return null;
    }

    /// <summary>Copies a token's grants under new IDs; <paramref name="description"/> replaces the description when given.</summary>
    public string? Clone(string accessorId, string description, out AclTokenRecord? clone)
    {
        clone = null;
        if (!tables.Tokens.TryGetValue(accessorId, out var source) || source.IsExpired(now))
        {
            return AclResolver.NotFound;
        }

        if (source.AuthMethod.Length > 0)
        {
            return "Cannot clone a token created from an auth method";
        }

        var index = store.NextIndex();
        clone = new AclTokenRecord
        {
            AccessorId = NewId(), SecretId = NewId(), Description = description.Length > 0 ? description : source.Description,
            Local = source.Local, ExpirationTime = source.ExpirationTime, CreateTime = now, CreateIndex = index, ModifyIndex = index,
            Policies = [.. source.Policies], Roles = [.. source.Roles], ServiceIdentities = [.. source.ServiceIdentities],
            NodeIdentities = [.. source.NodeIdentities], TemplatedPolicies = [.. source.TemplatedPolicies],
        };
        Commit(clone, index);
        return null;
    }

    /// <summary>Deletes a token; deleting an absent one succeeds, as in Consul's primary datacenter.</summary>
    public string? Delete(string accessorId, string requestSecret)
    {
        if (!AclNames.IsUuid(accessorId))
        {
            return "Accessor ID is missing or an invalid UUID";
        }

        if (accessorId == Authorizer.AnonymousAccessorId)
        {
            return "Delete operation not permitted on the anonymous token";
        }

        if (!tables.Tokens.TryGetValue(accessorId, out var token))
        {
            return null;
        }

        if (token.SecretId == requestSecret)
        {
            return "Deletion of the request's authorization token is not permitted";
        }

        tables.Tokens.Remove(accessorId);
        tables.TokensIndex = store.NextIndex();
        tables.Changed();
        store.Changes.Publish();
        return null;
    }

    private string? Normalize(AclTokenRequest request, out List<AclLink> policies, out List<AclLink> roles)
    {
        roles = [];
        return AclLinkNormalizer.Policies(tables, request.Policies, out policies)
            ?? AclLinkNormalizer.Roles(tables, request.Roles, out roles)
            ?? AclIdentityRules.Check(request.ServiceIdentities, request.NodeIdentities, request.TemplatedPolicies, "token", request.Local);
    }

    private static List<AclServiceIdentity> Deduplicate(List<AclServiceIdentity> identities) =>
        identities.GroupBy(i => i.ServiceName, StringComparer.Ordinal)
            .Select(g => g.Any(i => i.Datacenters.Count == 0) ? g.First() with { Datacenters = [] } : g.First() with { Datacenters = g.SelectMany(i => i.Datacenters).Distinct().ToList() })
            .ToList();

    private void Commit(AclTokenRecord token, ulong index)
    {
        tables.Tokens[token.AccessorId] = token;
        tables.TokensIndex = index;
        tables.Changed();
        store.Changes.Publish();
    }

    private bool InUse(string id) => tables.Tokens.ContainsKey(id) || tables.TokenBySecret(id) is not null;

    private static string? IdError(string id) =>
        AclNames.IsReserved(id) ? $"UUIDs with the prefix \"{AclNames.ReservedPrefix}\" are reserved"
        : !AclNames.IsUuid(id) ? "not a valid UUID"
        : null;

    private static string NewId() => Guid.NewGuid().ToString();
}
