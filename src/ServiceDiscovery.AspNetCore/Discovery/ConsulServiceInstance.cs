// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ServiceDiscovery.AspNetCore;

/// <summary>
/// One healthy instance of a service as Consul reported it, with its address already resolved (service address, else
/// node address, or the configured tagged address) into a ready-to-use <see cref="Uri"/> and <see cref="EndPoint"/>.
/// Immutable; an unchanged instance keeps its object identity across updates, so per-instance state can be keyed on it.
/// </summary>
public sealed class ConsulServiceInstance
{
    /// <summary>Initializes a new instance of the <see cref="ConsulServiceInstance"/> class (for tests and custom discovery sources).</summary>
    /// <param name="id">The Consul service instance id.</param>
    /// <param name="serviceName">The service name.</param>
    /// <param name="address">The host name or IP address (IPv6 without brackets).</param>
    /// <param name="port">The port; 0 when none was registered.</param>
    /// <param name="scheme">The URI scheme; <see langword="null"/> means <c>http</c>.</param>
    /// <param name="tags">The instance's tags.</param>
    /// <param name="meta">The instance's metadata.</param>
    /// <param name="checkStatus">The aggregated health of the instance's checks.</param>
    /// <param name="passingWeight">Consul's <c>Weights.Passing</c>.</param>
    /// <param name="warningWeight">Consul's <c>Weights.Warning</c>.</param>
    /// <param name="datacenter">The datacenter of the instance's node.</param>
    /// <param name="node">The node name.</param>
    /// <exception cref="ArgumentNullException">A required argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An argument is empty or out of range.</exception>
    public ConsulServiceInstance(
        string id,
        string serviceName,
        string address,
        int port,
        string? scheme = null,
        IReadOnlyList<string>? tags = null,
        IReadOnlyDictionary<string, string>? meta = null,
        ConsulCheckStatus checkStatus = ConsulCheckStatus.Passing,
        int passingWeight = 1,
        int warningWeight = 1,
        string? datacenter = null,
        string? node = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        ArgumentOutOfRangeException.ThrowIfNegative(passingWeight);
        ArgumentOutOfRangeException.ThrowIfNegative(warningWeight);
        scheme = string.IsNullOrEmpty(scheme) ? Uri.UriSchemeHttp : scheme.ToLowerInvariant();
        if (!Uri.CheckSchemeName(scheme))
        {
            throw new ArgumentException($"'{scheme}' is not a valid URI scheme.", nameof(scheme));
        }

        Id = id;
        ServiceName = serviceName;
        Address = address;
        Port = port;
        Scheme = scheme;
        Tags = tags ?? [];
        Meta = meta ?? EmptyMeta;
        CheckStatus = checkStatus;
        PassingWeight = passingWeight;
        WarningWeight = warningWeight;
        Datacenter = datacenter ?? "";
        Node = node ?? "";

        var ip = IPAddress.TryParse(address, out var parsed) ? parsed : null;
        EndPoint = ip is not null ? new IPEndPoint(ip, port) : new DnsEndPoint(address, port);
        Uri = BuildUri(scheme, address, ip, port);
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyMeta = new Dictionary<string, string>();

    /// <summary>Gets the Consul service instance id (unique per node).</summary>
    public string Id { get; }

    /// <summary>Gets the service name.</summary>
    public string ServiceName { get; }

    /// <summary>Gets the resolved host name or IP address (IPv6 without brackets).</summary>
    public string Address { get; }

    /// <summary>Gets the port; 0 when the instance registered none (then <see cref="Uri"/> uses the scheme's default).</summary>
    public int Port { get; }

    /// <summary>Gets the URI scheme: the instance's <c>scheme</c> metadata, lower-cased, else <c>http</c>.</summary>
    public string Scheme { get; }

    /// <summary>Gets the instance's tags.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Gets the instance's metadata.</summary>
    public IReadOnlyDictionary<string, string> Meta { get; }

    /// <summary>Gets the aggregated health of the instance's checks (node checks included).</summary>
    public ConsulCheckStatus CheckStatus { get; }

    /// <summary>Gets Consul's <c>Weights.Passing</c>: the instance's weight while it is passing.</summary>
    public int PassingWeight { get; }

    /// <summary>Gets Consul's <c>Weights.Warning</c>: the instance's weight while it is in warning.</summary>
    public int WarningWeight { get; }

    /// <summary>Gets the weight that applies now: <see cref="WarningWeight"/> in warning, else <see cref="PassingWeight"/>.</summary>
    public int Weight => CheckStatus == ConsulCheckStatus.Warning ? WarningWeight : PassingWeight;

    /// <summary>Gets the datacenter of the instance's node.</summary>
    public string Datacenter { get; }

    /// <summary>Gets the name of the node the instance runs on.</summary>
    public string Node { get; }

    /// <summary>
    /// Gets a value indicating whether the instance registered as Connect-native (<c>Connect.Native</c>): it is called
    /// over Connect mTLS, never in plain text.
    /// </summary>
    internal bool IsConnectNative { get; init; }

    /// <summary>Gets the instance's base URI, <c>{scheme}://{host}[:{port}]/</c>, with IPv6 hosts in brackets.</summary>
    public Uri Uri { get; }

    /// <summary>Gets the instance's endpoint: an <see cref="IPEndPoint"/> for an IP address, else a <see cref="DnsEndPoint"/>.</summary>
    public EndPoint EndPoint { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} {Uri} ({CheckStatus})";

    /// <summary>True when every observable value equals <paramref name="other"/>'s: used to keep identity across updates.</summary>
    internal bool HasSameContent(ConsulServiceInstance other)
    {
        if (!string.Equals(Id, other.Id, StringComparison.Ordinal)
            || !string.Equals(ServiceName, other.ServiceName, StringComparison.Ordinal)
            || !string.Equals(Address, other.Address, StringComparison.Ordinal)
            || Port != other.Port
            || IsConnectNative != other.IsConnectNative
            || !string.Equals(Scheme, other.Scheme, StringComparison.Ordinal)
            || CheckStatus != other.CheckStatus
            || PassingWeight != other.PassingWeight
            || WarningWeight != other.WarningWeight
            || !string.Equals(Datacenter, other.Datacenter, StringComparison.Ordinal)
            || !string.Equals(Node, other.Node, StringComparison.Ordinal)
            || Tags.Count != other.Tags.Count
            || Meta.Count != other.Meta.Count)
        {
            return false;
        }

        for (var i = 0; i < Tags.Count; i++)
        {
            if (!string.Equals(Tags[i], other.Tags[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        foreach (var (key, value) in Meta)
        {
            if (!other.Meta.TryGetValue(key, out var otherValue) || !string.Equals(value, otherValue, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static Uri BuildUri(string scheme, string address, IPAddress? ip, int port)
    {
        // An IPv6 literal needs brackets, and its zone id's '%' must be escaped as "%25" (RFC 6874).
        var host = ip is { AddressFamily: AddressFamily.InterNetworkV6 }
            ? "[" + ip.ToString().Replace("%", "%25", StringComparison.Ordinal) + "]"
            : address;
        var authority = port == 0 ? host : host + ":" + port.ToString(CultureInfo.InvariantCulture);
        return new Uri(scheme + "://" + authority + "/", UriKind.Absolute);
    }
}
