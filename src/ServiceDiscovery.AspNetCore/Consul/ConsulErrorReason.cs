// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>Why a Consul call failed.</summary>
public enum ConsulErrorReason
{
    /// <summary>Consul answered with a non-200 status; see <see cref="ConsulException.StatusCode"/> and <see cref="ConsulException.ResponseBody"/>.</summary>
    ApiError,

    /// <summary>No connection could be made or it broke (DNS, refused, reset, TLS).</summary>
    ConnectionFailed,

    /// <summary>Consul did not answer within <c>ConsulClientOptions.Timeout</c>.</summary>
    Timeout,

    /// <summary>Consul answered 200 with a body that is not what the endpoint documents (malformed or oversized JSON, HTML...).</summary>
    InvalidResponse,
}
