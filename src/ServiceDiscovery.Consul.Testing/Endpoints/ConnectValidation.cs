// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Json;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// The connect-proxy part of Consul's <c>NodeService.Validate</c> (docs/consul-http-api.md §1, step 7); the
/// errors are joined the way hashicorp/go-multierror prints them.
/// </summary>
internal static class ConnectValidation
{
    public static List<string> Errors(ServiceDefinition d)
    {
        var errors = new List<string>();
        if (d.Kind == "connect-proxy")
        {
            if ((d.Proxy?.DestinationServiceName ?? string.Empty).Trim().Length == 0)
            {
                errors.Add("Proxy.DestinationServiceName must be non-empty for Connect proxy services");
            }

            if (d.Port == 0)
            {
                errors.Add("Port must be set for a Connect proxy");
            }

            if (d.ConnectNative)
            {
                errors.Add("A Proxy cannot also be Connect Native, only typical services");
            }
        }

        return errors;
    }

    public static string Format(IReadOnlyList<string> errors) =>
        $"{errors.Count} error{(errors.Count == 1 ? string.Empty : "s")} occurred:\n"
        + string.Concat(errors.Select(e => $"\t* {e}\n")) + "\n";
}
