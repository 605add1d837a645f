// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/operator/usage</c>: structs.Usage, counted from the catalog, with its embedded QueryMeta fields and
/// the blocking-query headers. Billable instances leave out <c>consul</c> and proxies/gateways.
/// </summary>
internal static class OperatorUsageEndpoint
{
    private static readonly string[] ConnectKinds =
        ["api-gateway", "connect-native", "connect-proxy", "ingress-gateway", "mesh-gateway", "terminating-gateway"];

    public static async Task HandleAsync(AgentRequest r)
    {
        if (!await ReadGuards.CheckEnterpriseParamsAsync(r).ConfigureAwait(false)
            || await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking
            || !await OperatorEndpoints.RequireOperatorAsync(r, ConsulTestAclAccess.Read).ConfigureAwait(false))
        {
            return;
        }

        var usage = await blocking.RunAsync(r, () =>
        {
            var instances = r.Store.Nodes.Values.SelectMany(r.Store.ServicesOn).ToList();
            var connect = ConnectKinds.ToDictionary(k => k, k => instances.Count(s => k == "connect-native" ? s.ConnectNative : s.Kind == k));
            var billable = instances.Count(s => s.Name != "consul" && !s.HasProxyKind);
            var index = Math.Max(r.Store.ServicesTableIndex, r.Store.Nodes.Values.Max(n => n.Node.LastIndex));
            return (index, new Counts(instances.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count(), instances.Count, connect, billable, index));
        }).ConfigureAwait(false);

        var consistency = r.Response.Headers["X-Consul-Effective-Consistency"].ToString();
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("Usage");
            w.WriteStartObject(r.Options.Datacenter);
            w.WriteNumber("Services", usage.Services);
            w.WriteNumber("ServiceInstances", usage.Instances);
            w.WriteStartObject("ConnectServiceInstances");
            foreach (var (kind, count) in usage.Connect)
            {
                w.WriteNumber(kind, count);
            }

            w.WriteEndObject();
            w.WriteNumber("BillableServiceInstances", usage.Billable);
            w.WriteEndObject();
            w.WriteEndObject();
            ModelWriter.WriteQueryMetaFields(w, usage.Index, consistency);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private sealed record Counts(int Services, int Instances, Dictionary<string, int> Connect, int Billable, ulong Index);
}
