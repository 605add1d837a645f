// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// Consul's <c>gateway-services</c> table of one datacenter, derived from its <c>ingress-gateway</c> and
/// <c>terminating-gateway</c> entries and its catalog (state/catalog.go <c>updateGatewayServices</c>,
/// <c>updateGatewayNamespace</c>, <c>checkGatewayWildcardsAndUpdate</c>, <c>cleanupGatewayWildcards</c>):
/// one row per (gateway, service), the last listener naming a service winning; a wildcard <c>*</c> links every
/// typical service of the catalog except <c>consul</c> that is not named on its own (<c>FromWildcard</c>).
/// </summary>
/// <remarks>
/// The rows are recomputed under the store's lock whenever they are read and compared with the previous ones, so
/// each row keeps its indexes while it says the same, and the table's index moves only when a row appears, changes
/// or goes: rows of one entry version carry the index at which the entry's services changed; a row the catalog
/// created or changed (a wildcard service registering, a terminating service's <c>ServiceKind</c>) carries the
/// services table's index; a removal moves the table's index to the index of the write that caused it.
/// </remarks>
internal sealed class GatewayServiceTable
{
    public const string IngressKind = "ingress-gateway";

    public const string TerminatingKind = "terminating-gateway";

    private static readonly ConditionalWeakTable<StateStore, GatewayServiceTable> Tables = new();

    private Dictionary<(string Gateway, string Service), GatewayService> _rows = [];
    private IReadOnlyList<GatewayService> _ordered = [];
    private ulong _removedIndex;
    private ulong? _computedAt;

    /// <summary>Gets the table's index after the last <see cref="Refresh"/>.</summary>
    public ulong Index { get; private set; }

    public static GatewayServiceTable For(StateStore store) => Tables.GetValue(store, _ => new GatewayServiceTable());

    /// <summary>The rows as the store stands, gateway then service name order. The caller holds the store's lock.</summary>
    /// <remarks>Every write moves the store's index, so the rows are recomputed only after one (connect lookups ask once per node).</remarks>
    public IReadOnlyList<GatewayService> Refresh(StateStore store)
    {
        if (_computedAt == store.Index)
        {
            return _ordered;
        }

        _computedAt = store.Index;
        var entries = ConfigEntryTable.For(store);
        if (_rows.Count == 0 && !entries.Entries.Keys.Any(k => k.Kind is IngressKind or TerminatingKind))
        {
            return _ordered = [];
        }

        var registered = store.Nodes.Values.SelectMany(store.ServicesOn).ToList();
        var next = new Dictionary<(string Gateway, string Service), GatewayService>();
        foreach (var ((kind, name), entry) in entries.Entries.Where(e => e.Key.Kind is IngressKind or TerminatingKind))
        {
            var servicesIndex = entries.GatewayServicesIndexes.GetValueOrDefault((kind, name), (ulong)entry["ModifyIndex"]!);
            foreach (var row in RowsOf(kind, name, entry, servicesIndex, registered, entries))
            {
                next[(row.Gateway, row.Service)] = Indexed(row, store);
            }
        }

        if (_rows.Keys.Any(key => !next.ContainsKey(key)))
        {
            // A row went: its entry was deleted or rewritten, or its wildcard service left the catalog.
            _removedIndex = Math.Max(_removedIndex, Math.Max(entries.Index, store.ServicesTableIndex));
        }

        _rows = next;
        Index = Math.Max(_removedIndex, next.Values.Select(r => r.ModifyIndex).DefaultIfEmpty().Max());
        return _ordered = [.. next.Values.OrderBy(r => r.Gateway, StringComparer.Ordinal).ThenBy(r => r.Service, StringComparer.Ordinal)];
    }

    /// <summary>Keeps a row's indexes while it says the same; a new entry version recreates it, a catalog change modifies it.</summary>
    private GatewayService Indexed(GatewayService row, StateStore store)
    {
        if (_rows.TryGetValue((row.Gateway, row.Service), out var previous) && previous.EntryServicesIndex == row.EntryServicesIndex)
        {
            return previous.IsSame(row)
                ? row with { CreateIndex = previous.CreateIndex, ModifyIndex = previous.ModifyIndex }
                : row with { CreateIndex = previous.CreateIndex, ModifyIndex = Math.Max(row.EntryServicesIndex, store.ServicesTableIndex) };
        }

        var created = row.FromWildcard || row.ServiceKind == "service"
            ? Math.Max(row.EntryServicesIndex, store.ServiceIndex(row.Service, exists: true, checksTable: false))
            : row.EntryServicesIndex;
        return row with { CreateIndex = row.FromWildcard ? created : row.EntryServicesIndex, ModifyIndex = created };
    }

    private static List<GatewayService> RowsOf(
        string kind, string name, JsonObject entry, ulong servicesIndex, List<ServiceRecord> registered, ConfigEntryTable entries)
    {
        var named = new Dictionary<string, GatewayService>(StringComparer.Ordinal);
        GatewayService? wildcard = null;
        foreach (var row in kind == IngressKind ? IngressRows(name, entry, servicesIndex) : TerminatingRows(name, entry, servicesIndex))
        {
            if (row.Service == GatewayService.Wildcard)
            {
                wildcard = row;
            }
            else
            {
                named[row.Service] = row;
            }
        }

        var result = named.Values.Select(r => WithServiceKind(r, registered, entries)).ToList();
        if (wildcard is not null)
        {
            var typical = registered.Where(s => s.Kind.Length == 0 && s.Name != "consul").Select(s => s.Name).Distinct(StringComparer.Ordinal);
            result.AddRange(typical.Where(s => !named.ContainsKey(s))
                .Select(s => WithServiceKind(wildcard with { Service = s, FromWildcard = true }, registered, entries)));
        }

        return result;
    }

    private static IEnumerable<GatewayService> IngressRows(string name, JsonObject entry, ulong servicesIndex)
    {
        foreach (var listener in (entry["Listeners"] as JsonArray ?? []).OfType<JsonObject>())
        {
            foreach (var service in (listener["Services"] as JsonArray ?? []).OfType<JsonObject>())
            {
                yield return new GatewayService
                {
                    Gateway = name,
                    Service = Text(service, "Name"),
                    GatewayKind = IngressKind,
                    Port = listener["Port"] is JsonValue port && port.TryGetValue<int>(out var p) ? p : 0,
                    Protocol = Text(listener, "Protocol"),
                    Hosts = [.. (service["Hosts"] as JsonArray ?? []).Select(h => h?.GetValueKind() == JsonValueKind.String ? (string)h! : string.Empty)],
                    EntryServicesIndex = servicesIndex,
                };
            }
        }
    }

    private static IEnumerable<GatewayService> TerminatingRows(string name, JsonObject entry, ulong servicesIndex) =>
        (entry["Services"] as JsonArray ?? []).OfType<JsonObject>().Select(service => new GatewayService
        {
            Gateway = name,
            Service = Text(service, "Name"),
            GatewayKind = TerminatingKind,
            CaFile = Text(service, "CAFile"),
            CertFile = Text(service, "CertFile"),
            KeyFile = Text(service, "KeyFile"),
            Sni = Text(service, "SNI"),
            EntryServicesIndex = servicesIndex,
        });

    /// <summary>
    /// state/catalog.go <c>GatewayServiceKind</c>, for terminating gateways: <c>service</c> when the catalog has the
    /// service, <c>destination</c> when its <c>service-defaults</c> entry has a <c>Destination</c>, else unknown.
    /// </summary>
    private static GatewayService WithServiceKind(GatewayService row, List<ServiceRecord> registered, ConfigEntryTable entries) =>
        row.GatewayKind != TerminatingKind ? row
        : registered.Any(s => s.Name == row.Service) ? row with { ServiceKind = "service" }
        : entries.Entries.GetValueOrDefault(("service-defaults", row.Service))?["Destination"] is JsonObject ? row with { ServiceKind = "destination" }
        : row;

    private static string Text(JsonObject o, string field) =>
        o[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? (string)v! : string.Empty;
}
