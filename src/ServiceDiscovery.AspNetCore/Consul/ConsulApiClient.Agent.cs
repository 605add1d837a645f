// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Consul;

internal sealed partial class ConsulApiClient : IConsulAgentApi
{
    /// <inheritdoc />
    public async Task RegisterServiceAsync(AgentServiceRegistration registration, bool replaceExistingChecks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        const string path = "v1/agent/service/register";
        var call = new ConsulCall(HttpMethod.Put, "/v1/agent/service/register", "/" + path, new ConsulQuery().Add("replace-existing-checks", replaceExistingChecks ? "true" : null).Apply(path))
        {
            Content = Json(registration, ConsulJsonContext.Default.AgentServiceRegistration),
        };
        await SendAsync<object>(call, bodyType: null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> DeregisterServiceAsync(string serviceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var path = "v1/agent/service/deregister/" + ConsulPath.Segment(serviceId);
        var call = new ConsulCall(HttpMethod.Put, "/v1/agent/service/deregister/{service_id}", "/" + path, path) { NotFoundIsAnswer = true };
        var response = await SendAsync<object>(call, bodyType: null, cancellationToken).ConfigureAwait(false);
        return response.Found;
    }

    /// <inheritdoc />
    public async Task<AgentService?> GetAgentServiceAsync(string serviceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var path = "v1/agent/service/" + ConsulPath.Segment(serviceId);
        var call = new ConsulCall(HttpMethod.Get, "/v1/agent/service/{service_id}", "/" + path, path) { NotFoundIsAnswer = true };
        var response = await SendAsync(call, ConsulJsonContext.Default.AgentService, cancellationToken).ConfigureAwait(false);
        return response.Found ? response.Value : null;
    }

    /// <inheritdoc />
    public async Task<AgentService?> WatchAgentServiceAsync(string serviceId, string? hash, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var path = "v1/agent/service/" + ConsulPath.Segment(serviceId);
        var blocking = !string.IsNullOrEmpty(hash) && wait > TimeSpan.Zero;
        var waited = wait > MaxWait ? MaxWait : wait;
        var query = new ConsulQuery().Add("hash", blocking ? hash : null).Add("wait", blocking ? WaitMilliseconds(waited) : null);
        var call = new ConsulCall(HttpMethod.Get, "/v1/agent/service/{service_id}", "/" + path, query.Apply(path))
        {
            NotFoundIsAnswer = true,
            BlockingWait = blocking ? waited : TimeSpan.Zero,
        };
        var response = await SendAsync(call, ConsulJsonContext.Default.AgentService, cancellationToken).ConfigureAwait(false);
        return response.Found ? response.Value : null;
    }

    /// <summary><c>GET /v1/agent/services[?filter=]</c>, keyed by service id.</summary>
    public async Task<IReadOnlyDictionary<string, AgentService>> GetAgentServicesAsync(string? filter, CancellationToken cancellationToken)
    {
        const string path = "v1/agent/services";
        var call = new ConsulCall(HttpMethod.Get, "/" + path, "/" + path, new ConsulQuery().Add("filter", NullIfEmpty(filter)).Apply(path));
        var response = await SendAsync(call, ConsulJsonContext.Default.DictionaryStringAgentService, cancellationToken).ConfigureAwait(false);
        return response.Value!;
    }

    /// <summary><c>GET /v1/agent/checks[?filter=]</c>, keyed by check id.</summary>
    public async Task<IReadOnlyDictionary<string, HealthCheck>> GetAgentChecksAsync(string? filter, CancellationToken cancellationToken)
    {
        const string path = "v1/agent/checks";
        var call = new ConsulCall(HttpMethod.Get, "/" + path, "/" + path, new ConsulQuery().Add("filter", NullIfEmpty(filter)).Apply(path));
        var response = await SendAsync(call, ConsulJsonContext.Default.DictionaryStringHealthCheck, cancellationToken).ConfigureAwait(false);
        return response.Value!;
    }

    /// <inheritdoc />
    public async Task SetServiceMaintenanceAsync(string serviceId, bool enable, string? reason, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceId);
        var path = "v1/agent/service/maintenance/" + ConsulPath.Segment(serviceId);
        var query = new ConsulQuery().Add("enable", enable ? "true" : "false").Add("reason", enable ? NullIfEmpty(reason) : null);
        var call = new ConsulCall(HttpMethod.Put, "/v1/agent/service/maintenance/{service_id}", "/" + path, query.Apply(path));
        await SendAsync<object>(call, bodyType: null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task UpdateTtlAsync(string checkId, ConsulCheckStatus status, string? output, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkId);
        var path = "v1/agent/check/update/" + ConsulPath.Segment(checkId);
        var call = new ConsulCall(HttpMethod.Put, "/v1/agent/check/update/{check_id}", "/" + path, path)
        {
            Content = Json(new TtlUpdate(ConsulHealth.ToWire(status), output), ConsulJsonContext.Default.TtlUpdate),
        };
        await SendAsync<object>(call, bodyType: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>PUT /v1/agent/check/pass|warn|fail/{checkId}[?note=]</c>.</summary>
    public async Task SetTtlAsync(string checkId, ConsulCheckStatus status, string? note, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(checkId);
        var verb = status switch
        {
            ConsulCheckStatus.Passing => "pass",
            ConsulCheckStatus.Warning => "warn",
            ConsulCheckStatus.Critical => "fail",
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "A TTL check can only be set passing, warning or critical."),
        };
        var path = $"v1/agent/check/{verb}/" + ConsulPath.Segment(checkId);
        var call = new ConsulCall(HttpMethod.Put, $"/v1/agent/check/{verb}/{{check_id}}", "/" + path, new ConsulQuery().Add("note", NullIfEmpty(note)).Apply(path));
        await SendAsync<object>(call, bodyType: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>GET /v1/agent/self</c> (the parts we read: Config and Member).</summary>
    public async Task<AgentSelf> GetAgentSelfAsync(CancellationToken cancellationToken)
    {
        const string path = "v1/agent/self";
        var call = new ConsulCall(HttpMethod.Get, "/" + path, "/" + path, path);
        var response = await SendAsync(call, ConsulJsonContext.Default.AgentSelf, cancellationToken).ConfigureAwait(false);
        return response.Value!;
    }
}
