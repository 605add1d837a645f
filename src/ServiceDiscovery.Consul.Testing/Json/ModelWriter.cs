// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// Writes Consul's response objects field by field, in Go's struct order with Go's <c>omitempty</c> rules, so the
/// JSON matches what a real agent sends (§4, §6, §7, §11).
/// </summary>
internal static class ModelWriter
{
    /// <summary><c>api.AgentService</c> as <c>/v1/agent/services</c> and <c>/v1/agent/service/:id</c> return it.</summary>
    public static void WriteAgentService(Utf8JsonWriter w, ServiceRecord s, string datacenter, string? contentHash)
    {
        w.WriteStartObject();
        if (s.Kind.Length > 0)
        {
            w.WriteString("Kind", s.Kind);
        }

        w.WriteString("ID", s.Id);
        w.WriteString("Service", s.Name);
        WriteStrings(w, "Tags", s.Tags);
        WriteMap(w, "Meta", s.Meta, nullWhenEmpty: false);
        w.WriteNumber("Port", s.Port);
        w.WriteString("Address", s.Address);
        if (s.SocketPath.Length > 0)
        {
            w.WriteString("SocketPath", s.SocketPath);
        }

        WriteServiceTaggedAddresses(w, "TaggedAddresses", s);
        WriteWeights(w, "Weights", s);
        w.WriteBoolean("EnableTagOverride", s.EnableTagOverride);
        if (contentHash is not null)
        {
            w.WriteString("ContentHash", contentHash);
        }

        if (s.HasProxyKind)
        {
            (s.Proxy ?? new ProxyConfig()).Write(w, "Proxy", agentForm: true);
        }

        if (s.ConnectNative)
        {
            w.WriteStartObject("Connect");
            w.WriteBoolean("Native", true);
            w.WriteEndObject();
        }

        w.WriteString("Datacenter", datacenter);
        ServiceLocality.Write(w, "Locality", s.Locality, omitWhenNull: true);
        w.WriteEndObject();
    }

    /// <summary><c>structs.HealthCheck</c>; <paramref name="catalog"/> picks the synced copy and catalog indexes.</summary>
    public static void WriteCheck(Utf8JsonWriter w, CheckRecord c, string node, bool catalog)
    {
        w.WriteStartObject();
        w.WriteString("Node", node);
        w.WriteString("CheckID", c.CheckId);
        w.WriteString("Name", c.Name);
        w.WriteString("Status", catalog ? c.CatalogStatus : c.Status);
        w.WriteString("Notes", c.Notes);
        w.WriteString("Output", catalog ? c.CatalogOutput : c.Output);
        w.WriteString("ServiceID", c.ServiceId);
        w.WriteString("ServiceName", c.ServiceName);
        WriteStrings(w, "ServiceTags", c.ServiceTags);
        w.WriteString("Type", c.Type);
        w.WriteString("Interval", c.IntervalText);
        w.WriteString("Timeout", c.TimeoutText);
        w.WriteNumber("ExposedPort", 0);
        w.WriteStartObject("Definition");
        w.WriteEndObject();
        w.WriteNumber("CreateIndex", catalog ? c.CreateIndex : 0);
        w.WriteNumber("ModifyIndex", catalog ? c.ModifyIndex : 0);
        w.WriteEndObject();
    }

    /// <summary><c>structs.Node</c> of a health entry.</summary>
    public static void WriteNode(Utf8JsonWriter w, NodeInfo n)
    {
        w.WriteStartObject();
        w.WriteString("ID", n.Id);
        w.WriteString("Node", n.Name);
        w.WriteString("Address", n.Address);
        w.WriteString("Datacenter", n.Datacenter);
        WriteNodeTaggedAddresses(w, "TaggedAddresses", n);
        WriteNodeMeta(w, "Meta", n);
        w.WriteNumber("CreateIndex", n.CreateIndex);
        w.WriteNumber("ModifyIndex", n.LastIndex);
        w.WriteEndObject();
    }

    /// <summary><c>structs.NodeService</c> of a health entry.</summary>
    public static void WriteNodeService(Utf8JsonWriter w, ServiceRecord s)
    {
        w.WriteStartObject();
        if (s.Kind.Length > 0)
        {
            w.WriteString("Kind", s.Kind);
        }

        w.WriteString("ID", s.Id);
        w.WriteString("Service", s.Name);
        WriteStrings(w, "Tags", s.Tags);
        w.WriteString("Address", s.Address);
        WriteServiceTaggedAddresses(w, "TaggedAddresses", s);
        WriteMap(w, "Meta", s.Meta, nullWhenEmpty: true);
        if (s.Port != 0)
        {
            w.WriteNumber("Port", s.Port);
        }

        if (s.SocketPath.Length > 0)
        {
            w.WriteString("SocketPath", s.SocketPath);
        }

        WriteWeights(w, "Weights", s);
        w.WriteBoolean("EnableTagOverride", s.EnableTagOverride);
        ServiceLocality.Write(w, "Locality", s.Locality, omitWhenNull: true);
        WriteProxy(w, "Proxy", s);
        WriteConnect(w, "Connect", s);
        w.WriteString("PeerName", string.Empty);
        w.WriteNumber("CreateIndex", s.CreateIndex);
        w.WriteNumber("ModifyIndex", s.ModifyIndex);
        w.WriteEndObject();
    }

    /// <summary><c>structs.ServiceNode</c> as <c>/v1/catalog/service/:name</c> returns it.</summary>
    public static void WriteCatalogService(Utf8JsonWriter w, NodeInfo n, ServiceRecord s)
    {
        w.WriteStartObject();
        w.WriteString("ID", n.Id);
        w.WriteString("Node", n.Name);
        w.WriteString("Address", n.Address);
        w.WriteString("Datacenter", n.Datacenter);
        WriteNodeTaggedAddresses(w, "TaggedAddresses", n);
        WriteNodeMeta(w, "NodeMeta", n);
        w.WriteString("ServiceKind", s.Kind);
        w.WriteString("ServiceID", s.Id);
        w.WriteString("ServiceName", s.Name);
        WriteStrings(w, "ServiceTags", s.Tags);
        w.WriteString("ServiceAddress", s.Address);
        WriteServiceTaggedAddresses(w, "ServiceTaggedAddresses", s);
        WriteWeights(w, "ServiceWeights", s);
        WriteMap(w, "ServiceMeta", s.Meta, nullWhenEmpty: false);
        w.WriteNumber("ServicePort", s.Port);
        w.WriteString("ServiceSocketPath", s.SocketPath);
        w.WriteBoolean("ServiceEnableTagOverride", s.EnableTagOverride);
        WriteProxy(w, "ServiceProxy", s);
        WriteConnect(w, "ServiceConnect", s);
        ServiceLocality.Write(w, "ServiceLocality", s.Locality, omitWhenNull: false);
        w.WriteString("PeerName", string.Empty);
        w.WriteNumber("CreateIndex", s.CreateIndex);
        w.WriteNumber("ModifyIndex", s.ModifyIndex);
        w.WriteEndObject();
    }

    /// <summary><c>structs.DirEntry</c>: Value is base64, or null when empty.</summary>
    public static void WriteKv(Utf8JsonWriter w, KvEntry e)
    {
        w.WriteStartObject();
        w.WriteNumber("LockIndex", e.LockIndex);
        w.WriteString("Key", e.Key);
        w.WriteNumber("Flags", e.Flags);
        if (e.Value.Length == 0)
        {
            w.WriteNull("Value");
        }
        else
        {
            w.WriteBase64String("Value", e.Value);
        }

        if (e.Session.Length > 0)
        {
            w.WriteString("Session", e.Session);
        }

        w.WriteNumber("CreateIndex", e.CreateIndex);
        w.WriteNumber("ModifyIndex", e.ModifyIndex);
        w.WriteEndObject();
    }

    public static void WriteStringArray(Utf8JsonWriter w, IEnumerable<string> values)
    {
        w.WriteStartArray();
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    public static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string> map, bool nullWhenEmpty)
    {
        if (map.Count == 0 && nullWhenEmpty)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        foreach (var (k, v) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteString(k, v);
        }

        w.WriteEndObject();
    }

    private static void WriteServiceTaggedAddresses(Utf8JsonWriter w, string name, ServiceRecord s)
    {
        if (s.TaggedAddresses.Count == 0)
        {
            return;
        }

        w.WriteStartObject(name);
        foreach (var (k, v) in s.TaggedAddresses.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject(k);
            w.WriteString("Address", v.Address);
            w.WriteNumber("Port", v.Port);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteWeights(Utf8JsonWriter w, string name, ServiceRecord s)
    {
        w.WriteStartObject(name);
        w.WriteNumber("Passing", s.WeightPassing);
        w.WriteNumber("Warning", s.WeightWarning);
        w.WriteEndObject();
    }

    private static void WriteProxy(Utf8JsonWriter w, string name, ServiceRecord s) =>
        (s.Proxy ?? new ProxyConfig()).Write(w, name, agentForm: false);

    private static void WriteConnect(Utf8JsonWriter w, string name, ServiceRecord s)
    {
        w.WriteStartObject(name);
        if (s.ConnectNative)
        {
            w.WriteBoolean("Native", true);
        }

        w.WriteEndObject();
    }

    private static void WriteNodeTaggedAddresses(Utf8JsonWriter w, string name, NodeInfo n)
    {
        WriteMap(w, name, n.TaggedAddresses, nullWhenEmpty: n.IsExternal && n.Tagged is null);
    }

    // A catalog-registered node without maps keeps Go's nil maps, written as null.
    private static void WriteNodeMeta(Utf8JsonWriter w, string name, NodeInfo n) => WriteMap(w, name, n.NodeMeta, nullWhenEmpty: n.IsExternal && n.Meta is null);

    /// <summary>The fields of an embedded structs.QueryMeta (<c>/v1/query/:id/execute</c>, <c>/v1/operator/usage</c>).</summary>
    public static void WriteQueryMetaFields(Utf8JsonWriter w, ulong index, string consistency)
    {
        w.WriteNumber("Index", index);
        w.WriteNumber("LastContact", 0);
        w.WriteBoolean("KnownLeader", true);
        w.WriteString("ConsistencyLevel", consistency);
        w.WriteBoolean("NotModified", false);
        w.WriteNumber("Backend", 0);
    }
}
