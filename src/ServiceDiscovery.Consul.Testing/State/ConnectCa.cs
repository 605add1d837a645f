// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// A datacenter's built-in <c>consul</c> CA: the cluster ID and trust domain, the roots (the active one and, after a
/// rotation, the previous one until it is pruned 2 × LeafCertTTL later), the provider configuration and the serial
/// counter. It signs service leaves with the active root's key. The agents of a cluster share it through their
/// <see cref="StateStore"/>. Callers hold the store's lock.
/// </summary>
internal sealed class ConnectCa : IDisposable
{
    /// <summary>The Raft index at which a fresh <c>-dev</c> agent's leader bootstrapped the CA, before the catalog's first writes.</summary>
    public const ulong BootstrapIndex = 9;

    private readonly List<CaRoot> _roots = [];
    private ulong _serial;

    public ConnectCa(DateTimeOffset now, TimeSpan leafCertTtl)
    {
        ClusterId = Guid.NewGuid().ToString();
        Settings = new CaSettings(Json.GoDuration.FromTimeSpan(leafCertTtl), CaSettings.DefaultIntermediateCertTtl, CaSettings.DefaultRootCertTtl, "ec", 256, string.Empty, string.Empty);
        Config = new JsonObject
        {
            ["LeafCertTTL"] = ShortDuration(Settings.LeafCertTtl),
            ["IntermediateCertTTL"] = ShortDuration(CaSettings.DefaultIntermediateCertTtl),
            ["RootCertTTL"] = ShortDuration(CaSettings.DefaultRootCertTtl),
        };
        ConfigCreateIndex = ConfigModifyIndex = RootsIndex = BootstrapIndex;
        _roots.Add(NewRoot(CaSigningKey.Generate("ec", 256), null, now, BootstrapIndex, crossSign: false));
    }

    private ConnectCa(ConnectCaContent content)
    {
        ClusterId = content.ClusterId;
        Settings = content.Settings;
        Config = content.Config;
        ForceWithoutCrossSigning = content.ForceWithoutCrossSigning;
        ConfigCreateIndex = content.ConfigCreateIndex;
        ConfigModifyIndex = content.ConfigModifyIndex;
        RootsIndex = content.RootsIndex;
        _serial = content.Serial;
        _roots.AddRange(content.Roots);
    }

    /// <summary>Gets the cluster ID: a UUID the first leader makes; the trust domain's label.</summary>
    public string ClusterId { get; }

    public string TrustDomain => $"{ClusterId}.consul";

    /// <summary>Gets the roots in creation order; exactly one is active.</summary>
    public IReadOnlyList<CaRoot> Roots => _roots;

    public CaRoot ActiveRoot => _roots.Single(r => r.Active);

    /// <summary>Gets the index of the roots table: it moves at a rotation and a prune.</summary>
    public ulong RootsIndex { get; private set; }

    public CaSettings Settings { get; private set; }

    /// <summary>Gets the provider's <c>Config</c> map as last written (the TTLs of a fresh agent).</summary>
    public JsonObject Config { get; private set; }

    public bool ForceWithoutCrossSigning { get; private set; }

    public ulong ConfigCreateIndex { get; }

    public ulong ConfigModifyIndex { get; private set; }

    /// <summary>Gets the last serial number the CA gave a certificate.</summary>
    public ulong Serial => _serial;

    /// <summary>The CA a snapshot held; it takes ownership of the roots' certificates and keys (released when refused).</summary>
    /// <exception cref="FormatException">No root, or more than one, is active.</exception>
    public static ConnectCa FromSnapshot(ConnectCaContent content)
    {
        var active = content.Roots.Count(r => r.Active);
        if (active != 1)
        {
            content.Dispose();
            throw new FormatException($"state.bin field ConnectCA.Roots has {active} active roots; a CA has exactly one");
        }

        return new ConnectCa(content);
    }

    /// <summary>Issues a leaf for <paramref name="service"/> in <paramref name="datacenter"/> at <paramref name="index"/>.</summary>
    public IssuedLeaf Sign(string service, string datacenter, DateTimeOffset now, ulong index)
    {
        var root = ActiveRoot;
        var uri = $"spiffe://{TrustDomain}/ns/default/dc/{datacenter}/svc/{service}";
        var (certificate, key) = ConnectCertificates.CreateLeaf(root, new Uri(uri), ++_serial, now, Settings.LeafCertTtl.ToTimeSpan());
        using (certificate)
        using (key)
        {
            var pem = ConnectCertificates.Pem(certificate) + string.Concat(root.IntermediateCertPems);
            return new IssuedLeaf(
                ConnectCertificates.ColonHex(certificate.GetSerialNumber().Reverse().ToArray()),
                pem,
                key.ExportECPrivateKeyPem() + "\n",
                service,
                uri,
                certificate.NotBefore.ToUniversalTime(),
                certificate.NotAfter.ToUniversalTime(),
                root.SubjectKeyId,
                index);
        }
    }

    /// <summary>
    /// Applies a configuration already validated by the caller. A changed key identity rotates the root (a provided
    /// key and root, or a new key of the configured kind); otherwise only the TTLs change. Returns whether the roots moved.
    /// </summary>
    public bool Apply(JsonObject config, CaSettings settings, bool forceWithoutCrossSigning, CaSigningKey? providedKey, X509Certificate2? providedRoot, DateTimeOffset now, ulong index)
    {
        var rotate = settings.Identity != Settings.Identity;
        Config = config;
        Settings = settings;
        ForceWithoutCrossSigning = forceWithoutCrossSigning;
        ConfigModifyIndex = index;
        if (rotate)
        {
            Rotate(providedKey ?? CaSigningKey.Generate(settings.PrivateKeyType, settings.PrivateKeyBits), providedRoot, now, index);
        }

        return rotate;
    }

    /// <summary>Makes a new active root with a new key of the configured kind; the old one stays listed, inactive.</summary>
    public void Rotate(CaSigningKey key, X509Certificate2? providedRoot, DateTimeOffset now, ulong index)
    {
        var previous = ActiveRoot;
        var root = NewRoot(key, providedRoot, now, index, crossSign: !ForceWithoutCrossSigning);
        previous.Active = false;
        previous.RotatedOutAt = now;
        previous.ModifyIndex = index;
        _roots.Add(root);
        RootsIndex = index;
    }

    /// <summary>Whether an inactive root has been rotated out for more than 2 × LeafCertTTL (Consul's prune rule).</summary>
    public bool HasPrunableRoots(DateTimeOffset now) => _roots.Any(r => IsPrunable(r, now));

    /// <summary>Removes the roots <see cref="HasPrunableRoots"/> finds, at <paramref name="index"/>.</summary>
    public void Prune(DateTimeOffset now, ulong index)
    {
        foreach (var root in _roots.Where(r => IsPrunable(r, now)).ToList())
        {
            _roots.Remove(root);
            root.Certificate.Dispose();
            root.SigningKey.Dispose();
        }

        RootsIndex = index;
    }

    public void Dispose()
    {
        foreach (var root in _roots)
        {
            root.Certificate.Dispose();
            root.SigningKey.Dispose();
        }
    }

    /// <summary>A duration as a configuration file writes it (<c>72h</c>, <c>2m</c>), not Go's <c>72h0m0s</c>.</summary>
    private static string ShortDuration(Json.GoDuration value)
    {
        var text = value.ToString();
        return text.EndsWith("h0m0s", StringComparison.Ordinal) ? text[..^4]
            : text.EndsWith("m0s", StringComparison.Ordinal) ? text[..^2]
            : text;
    }

    private bool IsPrunable(CaRoot root, DateTimeOffset now) =>
        !root.Active && root.RotatedOutAt is { } outAt && now - outAt > 2 * Settings.LeafCertTtl.ToTimeSpan();

    private CaRoot NewRoot(CaSigningKey key, X509Certificate2? provided, DateTimeOffset now, ulong index, bool crossSign)
    {
        var certificate = provided ?? ConnectCertificates.CreateRoot(key, ClusterId, ++_serial, now, Settings.RootCertTtl.ToTimeSpan());
        var ski = certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()?.SubjectKeyIdentifierBytes.ToArray()
            ?? ConnectCertificates.KeyId(key.PublicKey);
        List<string> intermediates = [];
        if (crossSign && _roots.Count > 0)
        {
            using var crossSigned = ConnectCertificates.CrossSign(certificate, key, ActiveRoot, ++_serial, now);
            intermediates.Add(ConnectCertificates.Pem(crossSigned));
        }

        return new CaRoot
        {
#pragma warning disable CA5350 // Consul names a root by the SHA-1 of its DER: an identifier, not a signature.
            Id = ConnectCertificates.ColonHex(SHA1.HashData(certificate.RawData)),
#pragma warning restore CA5350
            Certificate = certificate,
            SigningKey = key,
            SerialNumber = (ulong)new System.Numerics.BigInteger(certificate.GetSerialNumber(), isUnsigned: true),
            SigningKeyId = ConnectCertificates.ColonHex(ski),
            SubjectKeyId = ski,
            RootCertPem = ConnectCertificates.Pem(certificate),
            IntermediateCertPems = intermediates,
            CreateIndex = index,
            ModifyIndex = index,
            Active = true,
        };
    }
}
