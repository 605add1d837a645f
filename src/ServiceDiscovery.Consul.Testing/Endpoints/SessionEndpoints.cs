// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>/v1/session/*</c> (agent/session_endpoint.go, consul/session_endpoint.go): create, destroy and renew (PUT);
/// info, node and list (GET, blocking on the sessions table index).
/// </summary>
internal static class SessionEndpoints
{
    /// <summary>Consul's <c>session_ttl_min</c> default.</summary>
    private static readonly TimeSpan TtlMin = TimeSpan.FromSeconds(10);

    /// <summary>Consul's <c>structs.SessionTTLMax</c>.</summary>
    private static readonly TimeSpan TtlMax = TimeSpan.FromHours(24);

    public static void Map(Router router)
    {
        router.Add("/v1/session/create", ["PUT"], CreateAsync);
        router.Add("/v1/session/destroy/", ["PUT"], DestroyAsync);
        router.Add("/v1/session/renew/", ["PUT"], RenewAsync);
        router.Add("/v1/session/info/", ["GET"], InfoAsync);
        router.Add("/v1/session/node/", ["GET"], NodeAsync);
        router.Add("/v1/session/list", ["GET"], ListAsync);
    }

    private static async Task CreateAsync(AgentRequest r)
    {
        var request = new SessionRequest();
        if (r.Context.Request.ContentLength > 0)
        {
            try
            {
                request = SessionRequestReader.Read(await r.ReadBodyAsync().ConfigureAwait(false));
            }
            catch (JsonDecodeException ex)
            {
                await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
                return;
            }
        }

        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await r.RequireAsync(authorizer, AclResourceKind.Session, request.Node ?? r.Local.Node.Name, AclAccessLevel.Write).ConfigureAwait(false))
        {
            return;
        }

        if (Validate(request, out var ttl) is { } error)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        var (nodeChecks, checks) = FixupChecks(request);
        var session = new SessionRecord
        {
            Id = Guid.NewGuid().ToString(),
            Name = request.Name,
            Node = request.Node ?? r.Local.Node.Name,
            LockDelayDuration = request.LockDelay ?? GoDuration.FromTimeSpan(TimeSpan.FromSeconds(15)),
            Behavior = request.Behavior.Length == 0 ? "release" : request.Behavior,
            Ttl = request.Ttl,
            TtlDuration = ttl,
            NodeChecks = nodeChecks,
            ServiceChecks = request.ServiceChecks,
            Checks = checks,
        };

        if (r.Store.CreateSession(session) is { } failure)
        {
            await Responses.WriteErrorAsync(r.Context, 500, failure).ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteString("ID", session.Id);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>Session.Apply's checks, in its order; returns the error text or null.</summary>
    private static string? Validate(SessionRequest request, out TimeSpan ttl)
    {
        ttl = TimeSpan.Zero;
        if (request.Node is { Length: 0 })
        {
            return "Must provide Node";
        }

        if (request.Behavior is not ("" or "release" or "delete"))
        {
            return $"Invalid Behavior setting '{request.Behavior}'";
        }

        if (request.Ttl.Length > 0)
        {
            if (!GoDuration.TryParseNanoseconds(request.Ttl, out var nanos, out var parseError))
            {
                return $"Session TTL '{request.Ttl}' invalid: {parseError}";
            }

            // Bounds in nanoseconds, as Consul checks them: 9.999999999s is under the minimum, though a tick rounds it to 10s.
            var exact = new GoDuration(nanos);
            ttl = exact.ToTimeSpan();
            if (exact.Nanoseconds != 0 && (exact < GoDuration.FromTimeSpan(TtlMin) || exact > GoDuration.FromTimeSpan(TtlMax)))
            {
                return $"Invalid Session TTL '{nanos}', must be between [{GoDuration.Format(TtlMin)}={GoDuration.Format(TtlMax)}]";
            }
        }

        return null;
    }

    /// <summary>
    /// Defaults both NodeChecks and the legacy Checks to <c>serfHealth</c>, then fixupEmptySessionChecks: an empty
    /// Checks empties NodeChecks; Checks left at the default defers to NodeChecks; an empty NodeChecks drops Checks.
    /// </summary>
    private static (List<string>? NodeChecks, List<string>? Checks) FixupChecks(SessionRequest request)
    {
        var nodeChecks = request.NodeChecksSet ? request.NodeChecks : ["serfHealth"];
        var checks = request.ChecksSet ? request.Checks : ["serfHealth"];
        if (checks is null || checks.Count == 0)
        {
            return ([], null);
        }

        if (checks is ["serfHealth"])
        {
            return (nodeChecks, null);
        }

        if (nodeChecks is null || nodeChecks.Count == 0)
        {
            return (nodeChecks, null);
        }

        return (nodeChecks, checks);
    }

    private static async Task DestroyAsync(AgentRequest r)
    {
        if (r.Parameter.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing session").ConfigureAwait(false);
            return;
        }

        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || (SessionNode(r) is { } node && !await r.RequireAsync(authorizer, AclResourceKind.Session, node, AclAccessLevel.Write).ConfigureAwait(false)))
        {
            return;
        }

        r.Store.DestroySession(r.Parameter);
        await Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(true)).ConfigureAwait(false);
    }

    private static async Task RenewAsync(AgentRequest r)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is null)
        {
            return;
        }

        if (r.Parameter.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing session").ConfigureAwait(false);
            return;
        }

        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || (SessionNode(r) is { } node && !await r.RequireAsync(authorizer, AclResourceKind.Session, node, AclAccessLevel.Write).ConfigureAwait(false)))
        {
            return;
        }

        if (r.Store.RenewSession(r.Parameter) is not { } session)
        {
            await Responses.WriteErrorAsync(r.Context, 404, $"Session id '{r.Parameter}' not found").ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w => SessionWriter.WriteSessions(w, [session])).ConfigureAwait(false);
    }

    private static Task InfoAsync(AgentRequest r) =>
        ReadAsync(r, "Missing session", store => store.Session(r.Parameter) is { } s ? [s] : []);

    private static Task NodeAsync(AgentRequest r) =>
        ReadAsync(r, "Missing node name", store => [.. store.Sessions.Where(s => string.Equals(s.Node, r.Parameter, StringComparison.OrdinalIgnoreCase))]);

    private static Task ListAsync(AgentRequest r) => ReadAsync(r, null, store => [.. store.Sessions]);

    /// <summary>A blocking read of the sessions table; <paramref name="missing"/> is the 400 text for an empty parameter.</summary>
    private static async Task ReadAsync(AgentRequest r, string? missing, Func<StateStore, List<SessionRecord>> select)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking)
        {
            return;
        }

        if (missing is not null && r.Parameter.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, missing).ConfigureAwait(false);
            return;
        }

        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false) || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        // Sessions on nodes the token may not read are left out silently, as Consul's filter does.
        var sessions = await blocking.RunAsync(r, () => (r.Store.SessionsTableIndex,
            select(r.Store).Where(s => authorizer.Allows(AclResourceKind.Session, s.Node, AclAccessLevel.Read)).ToList())).ConfigureAwait(false);
        await Responses.WriteJsonAsync(r, w => SessionWriter.WriteSessions(w, sessions)).ConfigureAwait(false);
    }

    /// <summary>The node of the session a destroy or renew names, or null when there is no such session.</summary>
    private static string? SessionNode(AgentRequest r)
    {
        lock (r.Store.Sync)
        {
            return r.Store.Session(r.Parameter)?.Node;
        }
    }
}
