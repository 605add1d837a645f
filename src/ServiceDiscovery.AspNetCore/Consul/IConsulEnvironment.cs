// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// Where Consul's CLI variables (<c>CONSUL_HTTP_ADDR</c>, ...) are read from; tests substitute a dictionary instead of
/// mutating the process environment.
/// </summary>
internal interface IConsulEnvironment
{
    /// <summary>The variable's value, or <see langword="null"/> when it is not set.</summary>
    string? GetEnvironmentVariable(string name);
}

/// <summary>The process environment.</summary>
internal sealed class ProcessConsulEnvironment : IConsulEnvironment
{
    public string? GetEnvironmentVariable(string name) => Environment.GetEnvironmentVariable(name);
}
