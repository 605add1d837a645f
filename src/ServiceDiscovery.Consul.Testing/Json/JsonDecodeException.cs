// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>A request body Go's <c>encoding/json</c> would refuse; the message is Go's error text.</summary>
internal sealed class JsonDecodeException : Exception
{
    public JsonDecodeException(string message)
        : base(message)
    {
    }

    public JsonDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
