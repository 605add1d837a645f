// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The datacenter's Connect state: the built-in CA (made when first asked for, as a <c>-dev</c> leader bootstraps it at
/// election, with the roots indexed at <see cref="State.ConnectCa.BootstrapIndex"/>) and the intentions. Callers hold
/// <see cref="Sync"/>.
/// </summary>
internal sealed partial class StateStore
{
    private ConnectCa? _connectCa;

    /// <summary>Gets the intentions: the <c>service-intentions</c> config entries and their legacy view.</summary>
    public IntentionStore Intentions { get; } = new();

    /// <summary>The CA, made on first use; roots rotated out for more than 2 × LeafCertTTL are pruned (a write) first.</summary>
    public ConnectCa ConnectCa(ConsulTestAgentConnectOptions options)
    {
        var now = Time.GetUtcNow();
        _connectCa ??= new ConnectCa(now, options.LeafCertTtl);
        if (_connectCa.HasPrunableRoots(now))
        {
            _connectCa.Prune(now, NextIndex());
            Changes.Publish();
        }

        return _connectCa;
    }

    /// <summary>Gets the CA if it has been made, without making it.</summary>
    public ConnectCa? CurrentConnectCa => _connectCa;

    /// <summary>Replaces the CA with a snapshot's (null: none yet; the next use makes a new one, as a leader does). The old one is disposed.</summary>
    public void RestoreConnectCa(ConnectCa? ca)
    {
        ThrowIfDisposed();
        _connectCa?.Dispose();
        _connectCa = ca;
    }

    private void DisposeConnectCa()
    {
        lock (Sync)
        {
            _connectCa?.Dispose();
        }
    }
}
