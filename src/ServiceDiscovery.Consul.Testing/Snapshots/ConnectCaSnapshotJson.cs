// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

using static ServiceDiscovery.Consul.Testing.Snapshots.StateFields;

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>
/// The <c>ConnectCA</c> part of <c>state.bin</c>: the built-in CA's cluster ID, serial counter, configuration (the
/// provider's <c>Config</c> map as written, the typed settings, indexes) and every listed root with its certificate,
/// cross-signed intermediates, signing key (PEM: a real Consul's snapshot holds the CA key too), state and indexes;
/// <c>null</c> when the CA was never made. A restored CA answers the same roots and signs with the same key.
/// </summary>
internal static class ConnectCaSnapshotJson
{
    public static void Write(Utf8JsonWriter w, ConnectCa? ca)
    {
        if (ca is null)
        {
            w.WriteNull("ConnectCA");
            return;
        }

        w.WriteStartObject("ConnectCA");
        w.WriteString("ClusterID", ca.ClusterId);
        w.WriteNumber("Serial", ca.Serial);
        w.WriteNumber("RootsIndex", ca.RootsIndex);
        w.WritePropertyName("Config");
        ca.Config.WriteTo(w);
        var s = ca.Settings;
        w.WriteNumber("LeafCertTTL", s.LeafCertTtl.Nanoseconds);
        w.WriteNumber("IntermediateCertTTL", s.IntermediateCertTtl.Nanoseconds);
        w.WriteNumber("RootCertTTL", s.RootCertTtl.Nanoseconds);
        w.WriteString("PrivateKeyType", s.PrivateKeyType);
        w.WriteNumber("PrivateKeyBits", s.PrivateKeyBits);
        w.WriteString("PrivateKey", s.PrivateKey);
        w.WriteString("RootCert", s.RootCert);
        w.WriteBoolean("ForceWithoutCrossSigning", ca.ForceWithoutCrossSigning);
        w.WriteNumber("ConfigCreateIndex", ca.ConfigCreateIndex);
        w.WriteNumber("ConfigModifyIndex", ca.ConfigModifyIndex);
        w.WriteStartArray("Roots");
        foreach (var root in ca.Roots)
        {
            w.WriteStartObject();
            w.WriteString("ID", root.Id);
            w.WriteNumber("SerialNumber", root.SerialNumber);
            w.WriteString("SigningKeyID", root.SigningKeyId);
            w.WriteString("RootCert", root.RootCertPem);
            ModelWriter.WriteStrings(w, "IntermediateCerts", root.IntermediateCertPems);
            w.WriteString("SigningKey", root.SigningKey.Key switch
            {
                RSA rsa => rsa.ExportRSAPrivateKeyPem(),
                var key => ((ECDsa)key).ExportECPrivateKeyPem(),
            });
            w.WriteBoolean("Active", root.Active);
            Time(w, "RotatedOutAt", root.RotatedOutAt);

            w.WriteNumber("CreateIndex", root.CreateIndex);
            w.WriteNumber("ModifyIndex", root.ModifyIndex);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Decodes the <c>ConnectCA</c> value: null, or the CA's content with its certificates and keys loaded.</summary>
    /// <exception cref="FormatException">A field is missing or of the wrong type, or a certificate or key does not load.</exception>
    public static ConnectCaContent? Read(JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        var o = node as JsonObject ?? throw Invalid("ConnectCA", "an object or null");
        var settings = new CaSettings(
            Duration(o, "LeafCertTTL"),
            Duration(o, "IntermediateCertTTL"),
            Duration(o, "RootCertTTL"),
            Text(o, "PrivateKeyType"),
            (int)Number(o, "PrivateKeyBits"),
            Text(o, "PrivateKey"),
            Text(o, "RootCert"));
        var clusterId = Text(o, "ClusterID");
        var config = (JsonObject)Object(o, "Config").DeepClone();
        var forced = o["ForceWithoutCrossSigning"] is JsonValue force && force.TryGetValue(out bool f) ? f : throw Invalid("ConnectCA.ForceWithoutCrossSigning", "a boolean");
        var items = Array(o, "Roots");
        var content = new ConnectCaContent(
            clusterId, Number(o, "Serial"), Number(o, "RootsIndex"), settings, config, forced, Number(o, "ConfigCreateIndex"), Number(o, "ConfigModifyIndex"), new List<CaRoot>());

        // Certificates and keys load last, and are released if a later root is damaged.
        var roots = (List<CaRoot>)content.Roots;
        try
        {
            foreach (var item in items)
            {
                roots.Add(ReadRoot(item as JsonObject ?? throw Invalid("ConnectCA.Roots[]", "an object")));
            }
        }
        catch (FormatException)
        {
            content.Dispose();
            throw;
        }

        return content;
    }

    private static CaRoot ReadRoot(JsonObject o)
    {
        var id = Text(o, "ID");
        var serial = Number(o, "SerialNumber");
        var keyId = Text(o, "SigningKeyID");
        var rootPem = Text(o, "RootCert");
        var keyPem = Text(o, "SigningKey");
        List<string> intermediates = [.. Array(o, "IntermediateCerts").Select(p => p is JsonValue v && v.TryGetValue(out string? pem) ? pem : throw Invalid($"ConnectCA.Roots[{id}].IntermediateCerts[]", "a string"))];
        var active = o["Active"] is JsonValue a && a.TryGetValue(out bool isActive) ? isActive : throw Invalid($"ConnectCA.Roots[{id}].Active", "a boolean");
        var rotatedOutAt = TimeOf(o, "RotatedOutAt");
        var (createIndex, modifyIndex) = (Number(o, "CreateIndex"), Number(o, "ModifyIndex"));
        byte[] subjectKeyId;
        try
        {
            subjectKeyId = Convert.FromHexString(keyId.Replace(":", string.Empty, StringComparison.Ordinal));
        }
        catch (FormatException)
        {
            throw Invalid($"ConnectCA.Roots[{id}].SigningKeyID", "colon-separated hex");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(rootPem);
        }
        catch (CryptographicException)
        {
            throw Invalid($"ConnectCA.Roots[{id}].RootCert", "a PEM certificate");
        }

        CaSigningKey key;
        try
        {
            key = CaSigningKey.FromPem(keyPem);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            certificate.Dispose();
            throw Invalid($"ConnectCA.Roots[{id}].SigningKey", "a PEM private key");
        }

        return new CaRoot
        {
            Id = id,
            Certificate = certificate,
            SigningKey = key,
            SerialNumber = serial,
            SigningKeyId = keyId,
            SubjectKeyId = subjectKeyId,
            RootCertPem = rootPem,
            IntermediateCertPems = intermediates,
            CreateIndex = createIndex,
            ModifyIndex = modifyIndex,
            Active = active,
            RotatedOutAt = rotatedOutAt,
        };
    }

    private static GoDuration Duration(JsonObject o, string name) => new((long)Number(o, name));
}
