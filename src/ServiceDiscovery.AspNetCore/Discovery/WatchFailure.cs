// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;
using System.Globalization;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>How a watch's failures are told to lookups (the exception) and to metrics (the error type).</summary>
internal static class WatchFailure
{
    /// <summary>What a lookup of <paramref name="serviceName"/> throws while no answer was fetched yet.</summary>
    public static ConsulException Describe(string serviceName, Uri address, Exception exception)
    {
        if (exception is ConsulException consul)
        {
            var what = consul.Reason switch
            {
                ConsulErrorReason.ConnectionFailed => "could not be reached",
                ConsulErrorReason.Timeout => "did not answer in time",
                ConsulErrorReason.InvalidResponse => "sent a response that is not a health list",
                _ => $"answered {(consul.StatusCode is { } status ? ((int)status).ToString(CultureInfo.InvariantCulture) : "with an error")}"
                     + (string.IsNullOrEmpty(consul.ResponseBody) ? "" : $": {consul.ResponseBody.Trim()}"),
            };
            return new ConsulException(
                $"Could not discover service '{serviceName}': the Consul agent at {address} {what}. No instances of '{serviceName}' have been fetched yet; the watch keeps retrying in the background.",
                consul.Reason,
                consul.StatusCode,
                consul.ResponseBody,
                consul);
        }

        return new ConsulException(
            $"Could not discover service '{serviceName}' from the Consul agent at {address}: {exception.Message}",
            ConsulErrorReason.InvalidResponse,
            statusCode: null,
            responseBody: null,
            exception);
    }

    /// <summary>The <c>error.type</c> of a failure, as the metrics tag it.</summary>
    public static string ErrorType(Exception exception) => exception is ConsulException consul
        ? ConsulTelemetry.ErrorType(consul.Reason, consul.StatusCode is { } status ? (int)status : null)
        : exception.GetType().FullName ?? "unknown";
}
