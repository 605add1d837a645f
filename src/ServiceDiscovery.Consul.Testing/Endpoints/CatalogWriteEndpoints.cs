// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>PUT /v1/catalog/register</c> and <c>PUT /v1/catalog/deregister</c> (docs/consul-http-api.md §7): low-level catalog
/// writes, answered <c>true</c>. Validation failures come from the Catalog RPC, so they are 500 with its text. Records
/// the agent owns on its own node (services and checks from <c>/v1/agent/*</c>, the node itself) are put back by
/// anti-entropy in Consul; here they are left as the agent has them, as if that sync ran at once.
/// </summary>
internal static class CatalogWriteEndpoints
{
    public static void Map(Router router)
    {
        router.Add("/v1/catalog/register", ["PUT"], RegisterAsync);
        router.Add("/v1/catalog/deregister", ["PUT"], DeregisterAsync);
    }

    private static async Task RegisterAsync(AgentRequest r)
    {
        CatalogRegistration request;
        try
        {
            request = CatalogRequestReaders.ReadRegister(await r.ReadBodyAsync().ConfigureAwait(false));
        }
        catch (JsonDecodeException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await DatacenterForwarding.RouteAsync(r, request.Datacenter).ConfigureAwait(false))
        {
            return;
        }

        var service = request.Service;
        var error = request.Node.Length == 0 ? "Must provide node"
            : request.Id.Length > 0 && BadUuid(request.Id) is { } uuidError ? $"Bad node ID: {uuidError}"
            : request.Address.Length == 0 && !request.SkipNodeUpdate ? "Must provide address if SkipNodeUpdate is not set"
            : service is not null && service.Name.Length == 0 && service.Id.Length > 0 ? "Must provide service name (Service.Service) when service ID is provided"
            : service is not null && IsAny(service.Address) ? "Invalid service address"
            : null;
        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        var serviceId = service is null ? null : service.Id.Length > 0 ? service.Id : service.Name;
        foreach (var check in request.Checks)
        {
            check.Node = check.Node.Length > 0 ? check.Node : request.Node;
            check.CheckId = check.CheckId.Length > 0 ? check.CheckId : check.Name;
            check.Type = check.Type.Length > 0 ? check.Type : check.Definition.Type;
        }

        if (!await AuthorizeRegisterAsync(r, authorizer, request).ConfigureAwait(false))
        {
            return;
        }

        lock (r.Store.Sync)
        {
            r.Store.Nodes.TryGetValue(request.Node, out var existing);
            var mismatch = request.Checks.FirstOrDefault(c => !string.Equals(c.Node, request.Node, StringComparison.OrdinalIgnoreCase));
            var unknown = request.Checks.FirstOrDefault(c => c.ServiceId.Length > 0 && c.ServiceId != serviceId
                && existing?.Services.ContainsKey(c.ServiceId) != true);
            error = mismatch is not null ? $"Node '{mismatch.Node}' for check '{mismatch.CheckId}' doesn't match register request node '{request.Node}'"
                : unknown is not null ? $"Unknown service ID '{unknown.ServiceId}' for check ID '{unknown.CheckId}'"
                : null;
            if (error is null)
            {
                Write(r, request, serviceId);
            }
        }

        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        await Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(true)).ConfigureAwait(false);
    }

    /// <summary>Applies a validated registration; the caller holds the store lock.</summary>
    private static void Write(AgentRequest r, CatalogRegistration request, string? serviceId)
    {
        var local = r.Local;
        var own = IsAgentNode(r, request.Node);
        var node = new NodeInfo(request.Node, request.Id, request.Address, r.Datacenter, 0)
        {
            Tagged = request.TaggedAddresses,
            Meta = request.NodeMeta,
            IsExternal = true,
        };
        var service = request.Service is { } d && !(own && local.Services.ContainsKey(serviceId!))
            ? RegistrationRecords.CatalogService(serviceId!, d)
            : null;
        var existing = r.Store.Nodes.GetValueOrDefault(request.Node);
        var checks = request.Checks
            .Where(c => !(own && local.Checks.ContainsKey(c.CheckId)) && existing?.SerfHealth?.CheckId != c.CheckId)
            .Select(c => ToRecord(c, c.ServiceId == serviceId ? service?.Name ?? string.Empty : existing?.Services.GetValueOrDefault(c.ServiceId)?.Name ?? string.Empty))
            .ToList();
        r.Store.WriteRegistration(node, request.SkipNodeUpdate || own, service, checks);
    }

    private static CheckRecord ToRecord(CatalogCheck c, string serviceName) => new()
    {
        CheckId = c.CheckId,
        Name = c.Name,
        Notes = c.Notes,
        ServiceId = c.ServiceId,
        ServiceName = serviceName,
        Type = c.Type,
        CatalogTexts = (c.Interval, c.Timeout),
        Status = c.Status.Length > 0 ? c.Status : "critical",
        Output = c.Output,
        CatalogStatus = c.Status.Length > 0 ? c.Status : "critical",
        CatalogOutput = c.Output,
    };

    /// <summary>vetRegisterWithACL: node:write when the node changes or a node check is written, service:write on each service touched.</summary>
    private static async Task<bool> AuthorizeRegisterAsync(AgentRequest r, Authorizer authorizer, CatalogRegistration request)
    {
        if (request.Service is { } s && s.Name != "consul"
            && !await r.RequireAsync(authorizer, ConsulTestAclResource.Service, s.Name, ConsulTestAclAccess.Write).ConfigureAwait(false))
        {
            return false;
        }

        var needsNode = !request.SkipNodeUpdate || request.Checks.Any(c => c.ServiceId.Length == 0);
        return !needsNode || await r.RequireAsync(authorizer, ConsulTestAclResource.Node, request.Node, ConsulTestAclAccess.Write).ConfigureAwait(false);
    }

    private static async Task DeregisterAsync(AgentRequest r)
    {
        CatalogDeregistration request;
        try
        {
            request = CatalogRequestReaders.ReadDeregister(await r.ReadBodyAsync().ConfigureAwait(false));
        }
        catch (JsonDecodeException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (!await DatacenterForwarding.RouteAsync(r, request.Datacenter).ConfigureAwait(false))
        {
            return;
        }

        if (request.Node.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 500, "Must provide node").ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await r.RequireAsync(authorizer, ConsulTestAclResource.Node, request.Node, ConsulTestAclAccess.Write).ConfigureAwait(false))
        {
            return;
        }

        lock (r.Store.Sync)
        {
            Remove(r, request);
        }

        r.Store.Changes.Publish();
        await Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(true)).ConfigureAwait(false);
    }

    /// <summary>Whether <paramref name="node"/> is the receiving agent's own node (not one of another datacenter).</summary>
    private static bool IsAgentNode(AgentRequest r, string node) => r.Datacenter == r.Options.Datacenter && node == r.Local.Node.Name;

    /// <summary>applyDeregister's precedence: ServiceID, else CheckID, else the whole node. Unknown targets are no-ops.</summary>
    private static void Remove(AgentRequest r, CatalogDeregistration request)
    {
        var store = r.Store;
        if (!store.Nodes.TryGetValue(request.Node, out var node))
        {
            return;
        }

        var own = IsAgentNode(r, request.Node);
        bool OwnsService(string id) => own && r.Local.Services.ContainsKey(id);
        bool OwnsCheck(CheckRecord c) => (own && r.Local.Checks.ContainsKey(c.CheckId)) || ReferenceEquals(c, node.SerfHealth);
        if (request.ServiceId.Length > 0)
        {
            if (node.Services.ContainsKey(request.ServiceId) && !OwnsService(request.ServiceId))
            {
                store.DeregisterService(request.Node, request.ServiceId);
            }
        }
        else if (request.CheckId.Length > 0)
        {
            if (node.Checks.TryGetValue(request.CheckId, out var check) && !OwnsCheck(check))
            {
                store.RemoveCheck(request.Node, check);
            }
        }
        else if (!own && node.SerfHealth is null)
        {
            store.RemoveNode(request.Node);
        }
        else
        {
            foreach (var id in node.Services.Keys.Where(id => !OwnsService(id)).ToList())
            {
                store.DeregisterService(request.Node, id);
            }

            foreach (var check in node.Checks.Values.Where(c => !OwnsCheck(c)).ToList())
            {
                store.RemoveCheck(request.Node, check);
            }
        }
    }

    private static bool IsAny(string address) =>
        IPAddress.TryParse(address.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));

    /// <summary>go-uuid's ParseUUID texts.</summary>
    private static string? BadUuid(string id)
    {
        if (id.Length != 36)
        {
            return "uuid string is wrong length";
        }

        var parts = id.Split('-');
        return parts.Length == 5 && parts.Select(p => p.Length).SequenceEqual([8, 4, 4, 4, 12]) && parts.All(p => p.All(char.IsAsciiHexDigit))
            ? null
            : "uuid is improperly formatted";
    }
}
