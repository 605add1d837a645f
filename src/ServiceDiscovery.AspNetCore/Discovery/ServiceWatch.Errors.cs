// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>How a failed read is described to lookups and tagged in metrics.</summary>
internal sealed partial class ServiceWatch
{
    private ConsulException DescribeFailure(Exception exception)
    {
        var address = _client.Address;
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
                $"Could not discover service '{ServiceName}': the Consul agent at {address} {what}. No instances of '{ServiceName}' have been fetched yet; the watch keeps retrying in the background.",
                consul.Reason,
                consul.StatusCode,
                consul.ResponseBody,
                consul);
        }

        return new ConsulException(
            $"Could not discover service '{ServiceName}' from the Consul agent at {address}: {exception.Message}",
            ConsulErrorReason.InvalidResponse,
            statusCode: null,
            responseBody: null,
            exception);
    }

    internal static string ErrorType(Exception exception) => exception switch
    {
        ConsulException { Reason: ConsulErrorReason.ApiError, StatusCode: { } status } => ((int)status).ToString(CultureInfo.InvariantCulture),
        ConsulException { Reason: ConsulErrorReason.Timeout } => "timeout",
        ConsulException { Reason: ConsulErrorReason.ConnectionFailed } => "connection_failed",
        ConsulException { Reason: ConsulErrorReason.InvalidResponse } => "invalid_response",
        ConsulException => "api_error",
        _ => exception.GetType().FullName ?? "unknown",
    };
}
