// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Grpc.Client;

/// <summary>
/// What every <see cref="ConsulResolver"/> shares: the clock, and the retry delays of a failed first read, taken from
/// <c>Consul:Discovery:RetryDelay</c> and <c>MaxRetryDelay</c> (doubling from the first to the second).
/// </summary>
internal sealed record ConsulResolverSettings(TimeProvider Time, TimeSpan RetryDelay, TimeSpan MaxRetryDelay);
