// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Consul;

internal sealed partial class ConsulApiClient
{
    // The token is never a parameter of any of these.
    private static partial class Log
    {
        [LoggerMessage(1000, LogLevel.Trace, "Consul {Method} {Path} answered {StatusCode} in {ElapsedMilliseconds} ms.", EventName = "ConsulRequestCompleted")]
        public static partial void RequestCompleted(ILogger logger, string method, string path, int statusCode, double elapsedMilliseconds);

        [LoggerMessage(1001, LogLevel.Debug, "Consul {Method} {Path} at {Address} failed with {StatusCode}: {ResponseBody}", EventName = "ConsulApiError")]
        public static partial void ApiError(ILogger logger, string method, string path, Uri address, int statusCode, string responseBody);

        [LoggerMessage(1002, LogLevel.Debug, "Consul {Method} {Path} could not reach {Address}.", EventName = "ConsulConnectionFailed")]
        public static partial void ConnectionFailed(ILogger logger, string method, string path, Uri address, Exception exception);

        [LoggerMessage(1003, LogLevel.Debug, "Consul {Method} {Path} at {Address} timed out after {Timeout}.", EventName = "ConsulTimeout")]
        public static partial void Timeout(ILogger logger, string method, string path, Uri address, TimeSpan timeout);

        [LoggerMessage(1004, LogLevel.Warning, "Consul {Method} {Path} at {Address} sent a response that is not what the endpoint documents: {Problem}", EventName = "ConsulInvalidResponse")]
        public static partial void InvalidResponse(ILogger logger, string method, string path, Uri address, string problem);
    }
}
