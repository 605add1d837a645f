// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.AspNetCore.Consul.Json;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>What this app registers: the request body and what the lifecycle needs to know about it.</summary>
/// <param name="Body">The body of <c>PUT /v1/agent/service/register</c>.</param>
/// <param name="Endpoint">The endpoint registered.</param>
/// <param name="TtlCheckId">The id of the TTL check the app reports to; <see langword="null"/> unless the check kind is TTL.</param>
/// <param name="Ttl">The TTL of that check.</param>
internal sealed record ServiceRegistration(AgentServiceRegistration Body, AdvertisedEndpoint Endpoint, string? TtlCheckId, TimeSpan Ttl)
{
    /// <summary>The instance id.</summary>
    public string ServiceId => Body.ID!;

    /// <summary>The service name.</summary>
    public string ServiceName => Body.Name;

    /// <summary>
    /// Whether <paramref name="other"/> registers the same thing: the same wire body. The body's collections compare
    /// by reference in record equality, so compare what Consul would receive.
    /// </summary>
    public bool HasSameBody(ServiceRegistration? other)
        => other is not null && string.Equals(Serialize(Body), Serialize(other.Body), StringComparison.Ordinal);

    private static string Serialize(AgentServiceRegistration body) => JsonSerializer.Serialize(body, ConsulJsonContext.Default.AgentServiceRegistration);
}
