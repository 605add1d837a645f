// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// Reads the connection keys of the <c>Consul</c> section (Address, Token, Datacenter, Timeout, Tls:*) and the source's
/// own <c>Consul:KeyValue</c> keys (Optional, Root, ApplicationName, Environment, WaitTime, SnapshotPath, Prefixes). Read by hand, not
/// bound: the options also hold a logger factory and a clock, which configuration cannot describe.
/// </summary>
internal static class KeyValueSectionReader
{
    public static void Read(IConfigurationSection consul, ConsulKeyValueConfigurationOptions options)
    {
        options.Address = consul["Address"] ?? options.Address;
        options.Token = consul["Token"] ?? options.Token;
        options.Datacenter = consul["Datacenter"] ?? options.Datacenter;
        options.Timeout = Time(consul, "Timeout") ?? options.Timeout;
        var tls = consul.GetSection("Tls");
        options.Tls.CaFile = tls["CaFile"] ?? options.Tls.CaFile;
        options.Tls.ClientCertificateFile = tls["ClientCertificateFile"] ?? options.Tls.ClientCertificateFile;
        options.Tls.ClientKeyFile = tls["ClientKeyFile"] ?? options.Tls.ClientKeyFile;
        options.Tls.ServerName = tls["ServerName"] ?? options.Tls.ServerName;
        options.Tls.InsecureSkipVerify = Flag(tls, "InsecureSkipVerify") ?? options.Tls.InsecureSkipVerify;

        var kv = consul.GetSection("KeyValue");
        options.Optional = Flag(kv, "Optional") ?? options.Optional;
        options.Root = kv["Root"] ?? options.Root;
        options.ApplicationName = kv["ApplicationName"] ?? options.ApplicationName;
        options.Environment = kv["Environment"] ?? options.Environment;
        options.WaitTime = Time(kv, "WaitTime") ?? options.WaitTime;
        options.SnapshotPath = kv["SnapshotPath"] ?? options.SnapshotPath;
        foreach (var prefix in kv.GetSection("Prefixes").GetChildren().Select(static c => c.Value).OfType<string>())
        {
            options.Prefixes.Add(prefix);
        }
    }

    private static TimeSpan? Time(IConfigurationSection section, string key) => section[key] is { } raw
        ? TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var value) ? value : throw Invalid(section, key, raw, "a time span such as '00:00:10'")
        : null;

    private static bool? Flag(IConfigurationSection section, string key) => section[key] is { } raw
        ? bool.TryParse(raw, out var value) ? value : throw Invalid(section, key, raw, "true or false")
        : null;

    private static InvalidOperationException Invalid(IConfigurationSection section, string key, string raw, string expected)
        => new($"{section.Path}:{key} is '{raw}', which is not {expected}.");
}
