// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Grpc.Client;

/// <summary>
/// Which instances a channel can call, by their <c>scheme</c> meta: a TLS channel calls <c>https</c> instances, a
/// plaintext one calls <c>h2c</c> (what a gRPC-checked app registers on a plaintext endpoint), <c>grpc</c> and
/// <c>http</c> ones. A channel is one or the other, so a service mixing both is split by the channel's credentials.
/// </summary>
internal static class InstanceSchemes
{
    /// <summary>The schemes a plaintext (h2c) channel calls.</summary>
    public static readonly string[] Plaintext = ["h2c", "grpc", "http"];

    /// <summary>The schemes a TLS channel calls.</summary>
    public static readonly string[] Tls = ["https"];

    public static string[] For(bool secure) => secure ? Tls : Plaintext;

    public static bool Accepts(string[] schemes, string scheme)
    {
        foreach (var accepted in schemes)
        {
            if (string.Equals(accepted, scheme, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
