// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>Settings of <see cref="IConsulLockProvider"/>'s locks and semaphores.</summary>
public sealed class ConsulLockOptions : ConsulSessionOptions
{
    /// <summary>Prepended to every lock key and semaphore prefix (for example <c>locks/orders/</c>). Default none.</summary>
    public string KeyPrefix { get; set; } = string.Empty;
}
