// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Where the reads of one watched name deliver what Consul said: its <see cref="ServiceWatch"/>. Both ways of reading a
/// name (<see cref="ServiceQueryLoop"/>, <see cref="FedRefresh"/>) go through it, so either can be tested alone.
/// </summary>
internal interface IWatchSink
{
    /// <summary>A read is about to be sent.</summary>
    void OnAttempt();

    /// <summary>Consul answered <paramref name="entries"/> at <paramref name="index"/>, after <paramref name="failuresBefore"/> failed reads in a row.</summary>
    void OnAnswer(IReadOnlyList<ServiceEntry> entries, ulong index, int failuresBefore);

    /// <summary>Whether Consul said the answer about to be delivered left out instances the token may not read.</summary>
    void OnAclFiltering(bool filtered);

    /// <summary>A read failed; <paramref name="failures"/> in a row so far.</summary>
    void OnFailure(Exception exception, int failures);
}
