// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// The JSON shapes of Connect answers (structs.IndexedCARoots, structs.CARoot, structs.IssuedCert,
/// structs.CAConfiguration), built under the store's lock so the written answer is one consistent snapshot.
/// </summary>
internal static class ConnectJson
{
    /// <summary>The name Consul's primary datacenter gives its roots.</summary>
    public const string RootName = "Consul CA Primary Cert";

    public static JsonObject Roots(ConnectCa ca)
    {
        var roots = new JsonArray();
        foreach (var root in ca.Roots)
        {
            roots.Add((JsonNode)new JsonObject
            {
                ["ID"] = root.Id,
                ["Name"] = RootName,
                ["SerialNumber"] = root.SerialNumber,
                ["SigningKeyID"] = root.SigningKeyId,
                ["ExternalTrustDomain"] = ca.ClusterId,
                ["NotBefore"] = Time(root.Certificate.NotBefore),
                ["NotAfter"] = Time(root.Certificate.NotAfter),
                ["RootCert"] = root.RootCertPem,
                ["IntermediateCerts"] = root.IntermediateCertPems.Count == 0 ? null : new JsonArray([.. root.IntermediateCertPems.Select(p => JsonValue.Create(p))]),
                ["Active"] = root.Active,
                ["PrivateKeyType"] = root.SigningKey.Type,
                ["PrivateKeyBits"] = root.SigningKey.Bits,
                ["CreateIndex"] = root.CreateIndex,
                ["ModifyIndex"] = root.ModifyIndex,
            });
        }

        return new JsonObject { ["ActiveRootID"] = ca.ActiveRoot.Id, ["TrustDomain"] = ca.TrustDomain, ["Roots"] = roots };
    }

    /// <summary>The <c>?pem=true</c> body: each root's certificate followed by its intermediates.</summary>
    public static string RootsPem(ConnectCa ca) => string.Concat(ca.Roots.Select(r => r.RootCertPem + string.Concat(r.IntermediateCertPems)));

    public static JsonObject Leaf(IssuedLeaf leaf) => new()
    {
        ["SerialNumber"] = leaf.SerialNumber,
        ["CertPEM"] = leaf.CertPem,
        ["PrivateKeyPEM"] = leaf.PrivateKeyPem,
        ["Service"] = leaf.Service,
        ["ServiceURI"] = leaf.ServiceUri,
        ["ValidAfter"] = Time(leaf.ValidAfter),
        ["ValidBefore"] = Time(leaf.ValidBefore),
        ["CreateIndex"] = leaf.Index,
        ["ModifyIndex"] = leaf.Index,
    };

    public static JsonObject Configuration(ConnectCa ca) => new()
    {
        ["Provider"] = "consul",
        ["Config"] = ca.Config.DeepClone(),
        ["State"] = null,
        ["ForceWithoutCrossSigning"] = ca.ForceWithoutCrossSigning,
        ["CreateIndex"] = ca.ConfigCreateIndex,
        ["ModifyIndex"] = ca.ConfigModifyIndex,
    };

    /// <summary>Go's <c>time.Time</c> JSON of a certificate time (RFC 3339, whole seconds).</summary>
    public static string Time(DateTime time) => Endpoints.ServerClock.GoTime(new DateTimeOffset(time.ToUniversalTime(), TimeSpan.Zero));

    public static string Time(DateTimeOffset time) => Endpoints.ServerClock.GoTime(time);
}
