// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using ServiceDiscovery.AspNetCore.Consul.Models;
using ServiceDiscovery.AspNetCore.Discovery;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>An <see cref="IWatchSink"/> that records what a read path reports, for testing the read paths without a watch.</summary>
internal sealed class RecordingSink : IWatchSink
{
    private int _attempts;

    public int Attempts => Volatile.Read(ref _attempts);

    public ConcurrentQueue<(ulong Index, int FailuresBefore, int Count)> Answers { get; } = new();

    public ConcurrentQueue<(Exception Exception, int Failures)> Failures { get; } = new();

    public void OnAttempt() => Interlocked.Increment(ref _attempts);

    public void OnAnswer(IReadOnlyList<ServiceEntry> entries, ulong index, int failuresBefore) => Answers.Enqueue((index, failuresBefore, entries.Count));

    public ConcurrentQueue<bool> AclFiltering { get; } = new();

    public void OnAclFiltering(bool filtered) => AclFiltering.Enqueue(filtered);

    public void OnFailure(Exception exception, int failures) => Failures.Enqueue((exception, failures));
}
