// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The typed view of the <c>consul</c> provider's <c>Config</c> map. <see cref="Identity"/> is what decides a
/// rotation: Consul hashes the key material and kind, so a change of TTLs alone keeps the root.
/// </summary>
internal sealed record CaSettings(
    TimeSpan LeafCertTtl,
    TimeSpan IntermediateCertTtl,
    TimeSpan RootCertTtl,
    string PrivateKeyType,
    int PrivateKeyBits,
    string PrivateKey,
    string RootCert)
{
    public static readonly TimeSpan DefaultLeafCertTtl = TimeSpan.FromHours(72);
    public static readonly TimeSpan DefaultIntermediateCertTtl = TimeSpan.FromHours(8760);
    public static readonly TimeSpan DefaultRootCertTtl = TimeSpan.FromHours(87600);

    public (string PrivateKey, string RootCert, string Type, int Bits) Identity => (PrivateKey, RootCert, PrivateKeyType, PrivateKeyBits);
}
