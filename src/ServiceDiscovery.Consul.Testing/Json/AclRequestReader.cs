// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Acl;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>A token, policy or role as a request body describes it: links may name their target by ID or by name.</summary>
internal sealed record AclLinkRequest(string Id, string Name);

internal sealed record AclTokenRequest(
    string AccessorId, string SecretId, string Description, List<AclLinkRequest> Policies, List<AclLinkRequest> Roles,
    List<AclServiceIdentity> ServiceIdentities, List<AclNodeIdentity> NodeIdentities, List<AclTemplatedPolicy> TemplatedPolicies,
    bool Local, string AuthMethod, DateTimeOffset? ExpirationTime, GoDuration ExpirationTtl);

internal sealed record AclPolicyRequest(string Id, string Name, string Description, string Rules, List<string>? Datacenters);

internal sealed record AclRoleRequest(
    string Id, string Name, string Description, List<AclLinkRequest> Policies, List<AclServiceIdentity> ServiceIdentities,
    List<AclNodeIdentity> NodeIdentities, List<AclTemplatedPolicy> TemplatedPolicies);

/// <summary>
/// Decodes ACL request bodies as Consul's strict JSON decoder does (unknown fields refused, Go's type errors):
/// <c>structs.ACLToken</c>, <c>structs.ACLPolicy</c> and <c>structs.ACLRole</c>.
/// </summary>
internal static class AclRequestReader
{
    private static readonly Dictionary<string, string> TokenFields = StrictObject.Fields(
        ["AccessorID"], ["SecretID"], ["Description"], ["Policies"], ["Roles"], ["ServiceIdentities"], ["NodeIdentities"],
        ["TemplatedPolicies"], ["Local"], ["AuthMethod"], ["ExpirationTime"], ["ExpirationTTL"], ["CreateTime"], ["Hash"],
        ["CreateIndex"], ["ModifyIndex"]);

    private static readonly Dictionary<string, string> PolicyFields = StrictObject.Fields(
        ["ID"], ["Name"], ["Description"], ["Rules"], ["Datacenters"], ["Hash"], ["CreateIndex"], ["ModifyIndex"]);

    private static readonly Dictionary<string, string> RoleFields = StrictObject.Fields(
        ["ID"], ["Name"], ["Description"], ["Policies"], ["ServiceIdentities"], ["NodeIdentities"], ["TemplatedPolicies"], ["Hash"],
        ["CreateIndex"], ["ModifyIndex"]);

    private static readonly Dictionary<string, string> LinkFields = StrictObject.Fields(["ID"], ["Name"]);
    private static readonly Dictionary<string, string> ServiceIdentityFields = StrictObject.Fields(["ServiceName"], ["Datacenters"]);
    private static readonly Dictionary<string, string> NodeIdentityFields = StrictObject.Fields(["NodeName"], ["Datacenter"]);
    private static readonly Dictionary<string, string> TemplatedFields = StrictObject.Fields(["TemplateName"], ["TemplateVariables"], ["Datacenters"]);
    private static readonly Dictionary<string, string> VariableFields = StrictObject.Fields(["Name"]);

    public static AclTokenRequest Token(JsonElement body)
    {
        var o = StrictObject.Read(body, "ACLToken", TokenFields);
        DateTimeOffset? expiration = null;
        if (o.Has("ExpirationTime"))
        {
            var text = o.GetString("ExpirationTime");
            expiration = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var parsed)
                ? parsed
                : throw new JsonDecodeException($"parsing time \"\\\"{text}\\\"\" as \"\\\"2006-01-02T15:04:05Z07:00\\\"\": cannot parse \"{text}\" as \"2006\"");
        }

        return new AclTokenRequest(
            o.GetString("AccessorID"), o.GetString("SecretID"), o.GetString("Description"), Links(o, "Policies"), Links(o, "Roles"),
            ServiceIdentities(o), NodeIdentities(o), TemplatedPolicies(o), o.GetBool("Local"), o.GetString("AuthMethod"), expiration,
            o.GetDuration("ExpirationTTL"));
    }

    public static AclPolicyRequest Policy(JsonElement body)
    {
        var o = StrictObject.Read(body, "ACLPolicy", PolicyFields);
        return new AclPolicyRequest(o.GetString("ID"), o.GetString("Name"), o.GetString("Description"), o.GetString("Rules"),
            o.Has("Datacenters") ? o.GetStringList("Datacenters") : null);
    }

    public static AclRoleRequest Role(JsonElement body)
    {
        var o = StrictObject.Read(body, "ACLRole", RoleFields);
        return new AclRoleRequest(o.GetString("ID"), o.GetString("Name"), o.GetString("Description"), Links(o, "Policies"),
            ServiceIdentities(o), NodeIdentities(o), TemplatedPolicies(o));
    }

    private static List<AclLinkRequest> Links(StrictObject o, string field) =>
        Items(o, field, "ACLLink", LinkFields).Select(l => new AclLinkRequest(l.GetString("ID"), l.GetString("Name"))).ToList();

    private static List<AclServiceIdentity> ServiceIdentities(StrictObject o) =>
        Items(o, "ServiceIdentities", "ACLServiceIdentity", ServiceIdentityFields)
            .Select(i => new AclServiceIdentity(i.GetString("ServiceName"), i.Has("Datacenters") ? i.GetStringList("Datacenters") : [])).ToList();

    private static List<AclNodeIdentity> NodeIdentities(StrictObject o) =>
        Items(o, "NodeIdentities", "ACLNodeIdentity", NodeIdentityFields)
            .Select(i => new AclNodeIdentity(i.GetString("NodeName"), i.GetString("Datacenter"))).ToList();

    private static List<AclTemplatedPolicy> TemplatedPolicies(StrictObject o) =>
        Items(o, "TemplatedPolicies", "ACLTemplatedPolicy", TemplatedFields).Select(t =>
        {
            var name = t.Raw("TemplateVariables") is { } variables ? StrictObject.Read(variables, "ACLTemplatedPolicyVariables", VariableFields).GetString("Name") : null;
            return new AclTemplatedPolicy(t.GetString("TemplateName"), name, t.Has("Datacenters") ? t.GetStringList("Datacenters") : []);
        }).ToList();

    private static List<StrictObject> Items(StrictObject o, string field, string structName, Dictionary<string, string> fields)
    {
        if (o.Raw(field) is not { } array)
        {
            return [];
        }

        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new JsonDecodeException($"json: cannot unmarshal {(array.ValueKind == JsonValueKind.Object ? "object" : "value")} into Go struct field .{field} of type []structs.{structName}");
        }

        return array.EnumerateArray().Select(item => StrictObject.Read(item, structName, fields)).ToList();
    }
}
