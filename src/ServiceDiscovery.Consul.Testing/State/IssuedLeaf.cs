// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>A leaf certificate the CA issued (structs.IssuedCert) and the key the agent generated for it.</summary>
internal sealed record IssuedLeaf(
    string SerialNumber,
    string CertPem,
    string PrivateKeyPem,
    string Service,
    string ServiceUri,
    DateTimeOffset ValidAfter,
    DateTimeOffset ValidBefore,
    byte[] AuthorityKeyId,
    ulong Index);
