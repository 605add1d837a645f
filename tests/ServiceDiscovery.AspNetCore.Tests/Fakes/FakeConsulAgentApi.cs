// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Net;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Tests.Fakes;

/// <summary>
/// A delegate-driven <see cref="IConsulAgentApi"/> for the registration endpoints. By default it behaves like an
/// agent holding services in memory; tests replace a delegate to fail, hang or forget. Every call is recorded in order.
/// </summary>
internal sealed class FakeConsulAgentApi : IConsulAgentApi
{
    private readonly ConcurrentQueue<string> _calls = new();

    public FakeConsulAgentApi()
    {
        OnRegister = (registration, _) =>
        {
            Services[registration.ID!] = registration;
            return Task.CompletedTask;
        };
        OnDeregister = (id, _) => Task.FromResult(Services.TryRemove(id, out var _));
        OnGetAgentService = (id, _) => Task.FromResult(Services.TryGetValue(id, out var registration)
            ? new AgentService { ID = id, Service = registration.Name, Address = registration.Address ?? "", Port = registration.Port ?? 0 }
            : null);
        OnWatchAgentService = async (id, hash, _, ct) =>
        {
            var service = await OnGetAgentService(id, ct).ConfigureAwait(false);
            var current = service is null ? null : service with { ContentHash = $"{service.Address}:{service.Port}" };
            if (hash is not null && current is not null && hash == current.ContentHash)
            {
                // Nothing changed: block like the agent does, until the caller gives up (tests replace this to wake it).
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }

            return current;
        };
        OnUpdateTtl = (checkId, _, _, _) => Services.Values.Any(s => s.Check?.CheckID == checkId)
            ? Task.CompletedTask
            : Task.FromException(NotFound($"Unknown check ID \"{checkId}\". Ensure that the check ID is passed, not the check name."));
        OnMaintenance = (id, _, _, _) => Services.ContainsKey(id) ? Task.CompletedTask : Task.FromException(NotFound($"Unknown service ID \"{id}\"."));
    }

    public Uri Address { get; } = new("http://consul.test:8500/");

    /// <summary>The services this fake agent holds, by id.</summary>
    public ConcurrentDictionary<string, AgentServiceRegistration> Services { get; } = new();

    /// <summary>Calls in order: <c>register:{id}</c>, <c>deregister:{id}</c>, <c>get:{id}</c>, <c>watch:{id}</c> (or <c>watch:{id}:blocking</c> with a hash), <c>ttl:{checkId}:{status}</c>, <c>maintenance:{id}:{enable}</c>.</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    /// <summary>The bodies registered, in order.</summary>
    public ConcurrentQueue<AgentServiceRegistration> Registrations { get; } = new();

    public Func<AgentServiceRegistration, CancellationToken, Task> OnRegister { get; set; }

    public Func<string, CancellationToken, Task<bool>> OnDeregister { get; set; }

    public Func<string, CancellationToken, Task<AgentService?>> OnGetAgentService { get; set; }

    /// <summary>The hash-blocking watch: (id, hash, wait, token). By default answers at once unless the hash is current, then blocks until cancelled.</summary>
    public Func<string, string?, TimeSpan, CancellationToken, Task<AgentService?>> OnWatchAgentService { get; set; }

    public Func<string, ConsulCheckStatus, string?, CancellationToken, Task> OnUpdateTtl { get; set; }

    public Func<string, bool, string?, CancellationToken, Task> OnMaintenance { get; set; }

    /// <summary>The calls other than the registration's own anti-entropy watch (<c>watch:</c>), for tests about something else.</summary>
    public IReadOnlyList<string> CallsButWatches => [.. Calls.Where(c => !c.StartsWith("watch:", StringComparison.Ordinal))];

    public int Count(string prefix) => Calls.Count(c => c.StartsWith(prefix, StringComparison.Ordinal));

    public static ConsulException NotFound(string body) => new($"Consul answered 404: {body}", ConsulErrorReason.ApiError, HttpStatusCode.NotFound, body);

    public static ConsulException Unreachable() => new("Could not connect to the Consul agent at http://consul.test:8500/.", ConsulErrorReason.ConnectionFailed, null, null);

    public Task RegisterServiceAsync(AgentServiceRegistration registration, bool replaceExistingChecks, CancellationToken cancellationToken)
    {
        _calls.Enqueue("register:" + registration.ID);
        Registrations.Enqueue(registration);
        return OnRegister(registration, cancellationToken);
    }

    public Task<bool> DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken)
    {
        _calls.Enqueue("deregister:" + serviceId);
        return OnDeregister(serviceId, cancellationToken);
    }

    public Task<AgentService?> GetAgentServiceAsync(string serviceId, CancellationToken cancellationToken)
    {
        _calls.Enqueue("get:" + serviceId);
        return OnGetAgentService(serviceId, cancellationToken);
    }

    public Task<AgentService?> WatchAgentServiceAsync(string serviceId, string? hash, TimeSpan wait, CancellationToken cancellationToken)
    {
        _calls.Enqueue(hash is null ? "watch:" + serviceId : $"watch:{serviceId}:blocking");
        return OnWatchAgentService(serviceId, hash, wait, cancellationToken);
    }

    public Task UpdateTtlAsync(string checkId, ConsulCheckStatus status, string? output, CancellationToken cancellationToken)
    {
        _calls.Enqueue($"ttl:{checkId}:{status}");
        return OnUpdateTtl(checkId, status, output, cancellationToken);
    }

    public Task SetServiceMaintenanceAsync(string serviceId, bool enable, string? reason, CancellationToken cancellationToken)
    {
        _calls.Enqueue($"maintenance:{serviceId}:{enable}");
        return OnMaintenance(serviceId, enable, reason, cancellationToken);
    }

}
