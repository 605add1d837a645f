// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The typed view of the <c>consul</c> provider's <c>Config</c> map. <see cref="Identity"/> is what decides a
/// rotation: Consul hashes the key material and kind, so a change of TTLs alone keeps the root. The TTLs are Go
/// durations as sent (validation texts quote them to the nanosecond); certificates take them rounded up to a tick.
/// </summary>
internal sealed record CaSettings(
    GoDuration LeafCertTtl,
    GoDuration IntermediateCertTtl,
    GoDuration RootCertTtl,
    string PrivateKeyType,
    int PrivateKeyBits,
    string PrivateKey,
    string RootCert)
{
    public static readonly GoDuration DefaultLeafCertTtl = GoDuration.FromTimeSpan(TimeSpan.FromHours(72));
    public static readonly GoDuration DefaultIntermediateCertTtl = GoDuration.FromTimeSpan(TimeSpan.FromHours(8760));
    public static readonly GoDuration DefaultRootCertTtl = GoDuration.FromTimeSpan(TimeSpan.FromHours(87600));

    public (string PrivateKey, string RootCert, string Type, int Bits) Identity => (PrivateKey, RootCert, PrivateKeyType, PrivateKeyBits);
}
