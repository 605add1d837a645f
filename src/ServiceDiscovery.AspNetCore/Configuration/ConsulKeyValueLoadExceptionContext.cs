// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// What <see cref="ConsulKeyValueConfigurationOptions.OnLoadException"/> receives when reading a prefix at start-up
/// failed (Consul unreachable, a denial, a timeout). See docs/configuration.md.
/// </summary>
public sealed class ConsulKeyValueLoadExceptionContext
{
    internal ConsulKeyValueLoadExceptionContext(string prefix, Exception exception)
    {
        Prefix = prefix;
        Exception = exception;
    }

    /// <summary>Gets the KV prefix that could not be read, e.g. <c>config/orders/</c>.</summary>
    public string Prefix { get; }

    /// <summary>Gets why the read failed; a <c>ConsulException</c> for anything Consul or the connection did. It never holds the token.</summary>
    public Exception Exception { get; }

    /// <summary>
    /// Gets or sets a value indicating whether start-up goes on without this prefix's values (as with
    /// <see cref="ConsulKeyValueConfigurationOptions.Optional"/>, for this failure only): its watch loads them when Consul
    /// answers. <see langword="false"/> (the default) keeps the source's rule: fail start-up unless it is optional or a
    /// snapshot stands in.
    /// </summary>
    public bool Ignore { get; set; }
}
