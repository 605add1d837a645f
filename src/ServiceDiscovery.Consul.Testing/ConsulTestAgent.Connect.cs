// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing;

/// <summary>The Connect fault hooks of <see cref="ConsulTestAgent"/>.</summary>
public sealed partial class ConsulTestAgent
{
    /// <summary>
    /// Rotates the datacenter's Connect CA now, as a <c>PUT /v1/connect/ca/configuration</c> with a new private key
    /// does: a new active root (with a new key of the configured kind) whose <c>IntermediateCerts</c> start with its
    /// copy cross-signed by the old key; the old root stays listed, inactive, until 2 × LeafCertTTL has passed; blocked
    /// leaf queries get a leaf from the new root after up to <see cref="ConsulTestAgentConnectOptions.LeafReissueJitter"/>.
    /// In a <see cref="ConsulTestCluster"/> every agent sees the rotation (they share the CA).
    /// </summary>
    /// <returns>The new active root's ID (the SHA-1 of its DER in colon hex, as <c>ActiveRootID</c> shows it).</returns>
    /// <exception cref="InvalidOperationException">Connect is disabled in the agent's options.</exception>
    public string RotateConnectRoot()
    {
        if (!_options.Connect.Enabled)
        {
            throw new InvalidOperationException("Connect is disabled (ConsulTestAgentOptions.Connect.Enabled is false); enable it to rotate the CA.");
        }

        var store = _state.Store;
        lock (store.Sync)
        {
            var ca = store.ConnectCa(_options.Connect);
            ca.Rotate(CaSigningKey.Generate(ca.Settings.PrivateKeyType, ca.Settings.PrivateKeyBits), null, store.Time.GetUtcNow(), store.NextIndex());
            store.Changes.Publish();
            return ca.ActiveRoot.Id;
        }
    }
}
