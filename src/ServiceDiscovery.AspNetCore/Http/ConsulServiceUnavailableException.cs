// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// A request to <c>http://{service}/...</c> could not be sent because no healthy instance of the service is known:
/// Consul knows none, or Consul itself could not be asked (then <see cref="Exception.InnerException"/> is the
/// <see cref="ConsulException"/> with the cause). No request was sent. Derives from <see cref="HttpRequestException"/>
/// so resilience pipelines treat it as a transient failure and retry (an instance, or Consul, may come back).
/// </summary>
public sealed class ConsulServiceUnavailableException : HttpRequestException
{
    /// <summary>Initializes a new instance of the <see cref="ConsulServiceUnavailableException"/> class.</summary>
    public ConsulServiceUnavailableException()
        : this("No healthy instance of the service is known to Consul.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ConsulServiceUnavailableException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ConsulServiceUnavailableException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ConsulServiceUnavailableException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ConsulServiceUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ServiceName = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="ConsulServiceUnavailableException"/> class.</summary>
    /// <param name="serviceName">The service with no healthy instance.</param>
    /// <param name="message">The message.</param>
    public ConsulServiceUnavailableException(string serviceName, string message)
        : base(message)
    {
        ServiceName = serviceName;
    }

    /// <summary>Initializes a new instance of the <see cref="ConsulServiceUnavailableException"/> class.</summary>
    /// <param name="serviceName">The service with no healthy instance.</param>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause, e.g. the <see cref="ConsulException"/> when Consul could not be asked.</param>
    public ConsulServiceUnavailableException(string serviceName, string message, Exception? innerException)
        : base(message, innerException)
    {
        ServiceName = serviceName;
    }

    /// <summary>Gets the Consul service name that had no healthy instance.</summary>
    public string ServiceName { get; }
}

