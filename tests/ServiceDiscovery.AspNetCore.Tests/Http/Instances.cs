// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.


namespace ServiceDiscovery.AspNetCore.Tests.Http;

/// <summary>Builds discovery results for balancer and handler tests.</summary>
internal static class Instances
{
    public static ConsulServiceInstance One(string id, int port = 8080, string scheme = "http", int weight = 1, string service = "catalog")
        => new(id, service, "127.0.0.1", port, scheme, passingWeight: weight);

    public static ConsulServiceInstances Of(params ConsulServiceInstance[] instances)
        => new(instances.Length > 0 ? instances[0].ServiceName : "catalog", instances);

    public static ConsulServiceInstances Named(string service, int count)
        => Of([.. Enumerable.Range(1, count).Select(i => One($"{service}-{i}", 8000 + i, service: service))]);
}

/// <summary>An <see cref="IConsulServiceDiscovery"/> answering from a settable list per name.</summary>
internal sealed class FakeServiceDiscovery : IConsulServiceDiscovery
{
    private readonly Dictionary<string, ConsulServiceInstances> _lists = new(StringComparer.Ordinal);

    public int Lookups { get; private set; }

    public void Set(string name, ConsulServiceInstances instances) => _lists[name] = instances;

    public ValueTask<ConsulServiceInstances> GetInstancesAsync(string serviceName, CancellationToken cancellationToken = default)
    {
        Lookups++;
        return ValueTask.FromResult(_lists.TryGetValue(serviceName, out var list) ? list : Instances.Of());
    }

    public bool TryGetCached(string serviceName, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConsulServiceInstances? instances)
        => _lists.TryGetValue(serviceName, out instances);
}
