// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;

namespace ServiceDiscovery.Consul.Testing.Http;

/// <summary>Every request received, so tests can count requests per path ("no request storm").</summary>
internal sealed class RequestLog
{
    private readonly ConcurrentQueue<ConsulTestRequest> _requests = new();

    public void Add(ConsulTestRequest request) => _requests.Enqueue(request);

    public IReadOnlyList<ConsulTestRequest> Snapshot() => [.. _requests];

    public void Clear() => _requests.Clear();
}
