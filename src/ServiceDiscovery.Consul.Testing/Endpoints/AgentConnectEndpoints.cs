// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// The agent's Connect endpoints (agent/agent_endpoint.go): <c>GET /v1/agent/connect/ca/roots</c> (the roots through
/// the agent's cache, blocking, <c>X-Cache</c>), <c>GET /v1/agent/connect/ca/leaf/:service</c> (the cached leaf,
/// blocking until renewal or a root change, <c>service:write</c>) and <c>POST /v1/agent/connect/authorize</c>.
/// </summary>
internal static class AgentConnectEndpoints
{
    private static readonly Dictionary<string, string> AuthorizeFields = StrictObject.Fields(["Target"], ["ClientCertURI"], ["ClientCertSerial"]);

    public static void Map(Router router)
    {
        router.Add("/v1/agent/connect/ca/roots", ["GET"], RootsAsync);
        router.Add("/v1/agent/connect/ca/leaf/", ["GET"], LeafAsync);
        router.Add("/v1/agent/connect/authorize", ["POST"], AuthorizeAsync);
    }

    private static async Task RootsAsync(AgentRequest r)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await ConnectCaEndpoints.RequireEnabledAsync(r).ConfigureAwait(false))
        {
            return;
        }

        var roots = await ConnectCaEndpoints.ReadRootsAsync(r, blocking).ConfigureAwait(false);
        bool hit;
        lock (r.Store.Sync)
        {
            hit = AgentConnectCache.For(r.Local).ServeRoots(roots.Index);
        }

        r.Response.Headers["X-Cache"] = hit ? "HIT" : "MISS";
        await Responses.WriteJsonAsync(r, w => roots.Json.WriteTo(w)).ConfigureAwait(false);
    }

    private static async Task LeafAsync(AgentRequest r)
    {
        var service = r.Parameter;
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await r.RequireAsync(authorizer, ConsulTestAclResource.Service, service, ConsulTestAclAccess.Write).ConfigureAwait(false)
            || !await ConnectCaEndpoints.RequireEnabledAsync(r).ConfigureAwait(false))
        {
            return;
        }

        var answer = await WaitForLeafAsync(r, service, blocking).ConfigureAwait(false);
        r.Response.Headers["X-Consul-Index"] = answer.Leaf.Index.ToString(CultureInfo.InvariantCulture);
        r.Response.Headers["X-Cache"] = answer.Hit ? "HIT" : "MISS";
        var json = ConnectJson.Leaf(answer.Leaf);
        await Responses.WriteJsonAsync(r, w => json.WriteTo(w)).ConfigureAwait(false);
    }

    /// <summary>Evaluates the cache until it has a leaf to answer; a blocked request wakes at a store change, the cache's due time or the wait's end.</summary>
    private static async Task<LeafAnswer> WaitForLeafAsync(AgentRequest r, string service, BlockingQuery blocking)
    {
        var store = r.Store;
        var time = store.Time;
        var cache = AgentConnectCache.For(r.Local);
        var deadline = time.GetUtcNow() + blocking.Wait;
        var entered = false;
        try
        {
            while (true)
            {
                Task changed;
                DateTimeOffset wakeAt;
                lock (store.Sync)
                {
                    changed = store.Changes.NextChange;
                    if (cache.Evaluate(store, r.Options.Connect, service, r.Options.Datacenter, blocking.MinIndex, out wakeAt) is { } ready)
                    {
                        return ready;
                    }

                    if (time.GetUtcNow() >= deadline)
                    {
                        return new LeafAnswer(cache.Cached(service)!, Hit: true);
                    }
                }

                if (!entered)
                {
                    store.EnterBlocking();
                    entered = true;
                }

                var delay = (wakeAt < deadline ? wakeAt : deadline) - time.GetUtcNow();
                using var wake = CancellationTokenSource.CreateLinkedTokenSource(r.Aborted);
                var timer = Task.Delay(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, time, wake.Token);
                await Task.WhenAny(changed, timer).ConfigureAwait(false);
                await wake.CancelAsync().ConfigureAwait(false);
                r.Aborted.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            if (entered)
            {
                store.ExitBlocking();
            }
        }
    }

    private static async Task AuthorizeAsync(AgentRequest r)
    {
        string target, uri;
        try
        {
            using var document = JsonBody.Parse(await r.ReadBodyAsync().ConfigureAwait(false));
            var body = StrictObject.Read(document.RootElement, "ConnectAuthorizeRequest", AuthorizeFields);
            target = body.GetString("Target");
            uri = body.GetString("ClientCertURI");
        }
        catch (JsonDecodeException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        var id = SpiffeId.Parse(uri);
        var error = target.Length == 0 ? "Target service must be specified"
            : id is null ? "ClientCertURI not a valid Connect identifier"
            : id.Kind != SpiffeKind.Service ? "ClientCertURI not a valid Service identifier"
            : null;
        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 400, error).ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await r.RequireAsync(authorizer, ConsulTestAclResource.Service, target, ConsulTestAclAccess.Write).ConfigureAwait(false))
        {
            return;
        }

        if (id!.Partition != "default")
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Mismatched partitions: \"{id.Partition}\" != \"default\"").ConfigureAwait(false);
            return;
        }

        (bool Allowed, string Reason) decision;
        lock (r.Store.Sync)
        {
            decision = IntentionDecision.Decide(r.Store.Intentions, id.Service, target, r.Options.Connect.DefaultIntentionPolicy, r.Acl.DefaultPolicy == "allow");
        }

        var json = new JsonObject { ["Authorized"] = decision.Allowed, ["Reason"] = decision.Reason };
        await Responses.WriteJsonAsync(r, w => json.WriteTo(w)).ConfigureAwait(false);
    }
}
