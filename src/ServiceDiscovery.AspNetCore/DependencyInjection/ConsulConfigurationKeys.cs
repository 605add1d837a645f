// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ServiceDiscovery.AspNetCore.DependencyInjection;

/// <summary>
/// The keys <see cref="ConsulOptions"/> binds, kept by hand (no reflection: trimming and NativeAOT safe; a test checks
/// the list against the options types), and the walk that finds keys under the bound section that bind to nothing.
/// </summary>
internal static class ConsulConfigurationKeys
{
    private static readonly Node Leaf = new(null, null);

    private static readonly Node Root = Object(
        ("Address", Leaf), ("Token", Leaf), ("TokenFile", Leaf), ("Datacenter", Leaf), ("Timeout", Leaf),
        ("Tls", Object(("InsecureSkipVerify", Leaf), ("CaFile", Leaf), ("ClientCertificateFile", Leaf), ("ClientKeyFile", Leaf), ("ServerName", Leaf))),
        ("Service", Object(
            ("Name", Leaf), ("Id", Leaf), ("Address", Leaf), ("Port", Leaf), ("Tags", Items(Leaf)), ("Meta", Items(Leaf)),
            ("Weights", Object(("Passing", Leaf), ("Warning", Leaf))),
            ("EnableTagOverride", Leaf), ("PreferHttps", Leaf), ("PreferIpAddress", Leaf), ("PreferredNetworks", Items(Leaf)))),
        ("Check", Object(
            ("Kind", Choice<ConsulCheckKind>()), ("Path", Leaf), ("MapEndpoint", Leaf), ("Interval", Leaf), ("Timeout", Leaf), ("Ttl", Leaf),
            ("DeregisterCriticalServiceAfter", Leaf), ("TlsSkipVerify", Leaf),
            ("AdditionalChecks", Items(Object(
                ("Name", Leaf), ("Kind", Choice<ConsulCheckKind>()), ("Target", Leaf), ("Interval", Leaf), ("Timeout", Leaf), ("GrpcUseTls", Leaf), ("TlsSkipVerify", Leaf)))))),
        ("Registration", Object(
            ("Enabled", Leaf), ("FailFast", Leaf), ("RetryInitialDelay", Leaf), ("RetryMaxDelay", Leaf), ("AntiEntropyInterval", Leaf),
            ("ShutdownMode", Choice<ConsulShutdownMode>()), ("DrainDelay", Leaf))),
        ("Discovery", Object(
            ("PassingOnly", Leaf), ("Tags", Items(Leaf)), ("Filter", Leaf), ("Consistency", Choice<ConsulConsistencyMode>()), ("TaggedAddress", Leaf), ("WaitTime", Leaf),
            ("MinimumQueryInterval", Leaf), ("RetryDelay", Leaf), ("MaxRetryDelay", Leaf), ("IdleTimeout", Leaf), ("VoidGracePeriod", Leaf), ("PanicThreshold", Leaf),
            ("WatchMode", Choice<ConsulWatchMode>()), ("DatacenterWatchThreshold", Leaf), ("MaxConnections", Leaf),
            ("SnapshotPath", Leaf), ("SnapshotMaxAge", Leaf),
            ("Services", Items(Object(
                ("PassingOnly", Leaf), ("Tags", Items(Leaf)), ("Filter", Leaf), ("Datacenter", Leaf), ("Consistency", Choice<ConsulConsistencyMode>()), ("TaggedAddress", Leaf)))))),
        ("Connect", Object(("Enabled", Leaf), ("AuthorizationCacheDuration", Leaf))),
        ("LoadBalancing", Object(("Policy", Choice<ConsulLoadBalancingPolicy>()), ("EjectionDuration", Leaf), ("ConsecutiveFailuresToEject", Leaf))),
        ("KeyValue", Object(
            ("Optional", Leaf), ("Root", Leaf), ("ApplicationName", Leaf), ("Environment", Leaf), ("WaitTime", Leaf), ("SnapshotPath", Leaf),
            ("Prefixes", Items(Leaf)))),
        ("Coordination", Object(
            ("Elections", Items(Object(("Key", Leaf), ("Value", Leaf), ("SessionTtl", Leaf), ("LockDelay", Leaf), ("StepDownAfter", Leaf)))),
            ("Locks", Object(("KeyPrefix", Leaf), ("SessionTtl", Leaf), ("LockDelay", Leaf), ("StepDownAfter", Leaf))))));

    /// <summary>The known keys as paths relative to the section (<c>Service:Weights:Passing</c>; <c>*</c> for any list index or dictionary key).</summary>
    public static IEnumerable<string> KnownPaths() => Paths(Root, prefix: null);

    /// <summary>Every key under <paramref name="section"/> that binds to nothing, with the closest valid key at the same level.</summary>
    public static IEnumerable<(string Key, string? Suggestion)> FindUnknown(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return Walk(section, Root);
    }

    /// <summary>The keys that take an enum, relative to the section (<c>*</c> as in <see cref="KnownPaths"/>), with the names each accepts.</summary>
    public static IEnumerable<(string Path, IReadOnlyList<string> Names)> KnownChoices()
        => KnownPaths().Select(path => (Path: path, Node: Find(path))).Where(static p => p.Node.Choices is not null).Select(static p => (p.Path, p.Node.Choices!));

    /// <summary>
    /// Every enum key under <paramref name="section"/> whose value is none of the enum's names, as a message naming the
    /// key, the value and the names: the configuration binder's own error names the key and the type, not the fix.
    /// </summary>
    public static IEnumerable<string> FindInvalidChoices(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return WalkChoices(section, Root);
    }

    private static IEnumerable<string> WalkChoices(IConfiguration section, Node node)
    {
        foreach (var child in section.GetChildren())
        {
            var next = node.Element ?? node.Children?.GetValueOrDefault(child.Key);
            if (next is null)
            {
                continue;
            }

            if (next.Choices is { } names && child.Value is { } value && !IsChoice(value, names))
            {
                yield return $"{child.Path} '{value}' is not one of its values. Use {string.Join(", ", names.SkipLast(1))} or {names[^1]}.";
            }

            foreach (var invalid in WalkChoices(child, next))
            {
                yield return invalid;
            }
        }
    }

    /// <summary>As <see cref="Enum.Parse(Type, string, bool)"/> reads it: names in any case, numbers, or a comma-separated list of them.</summary>
    private static bool IsChoice(string value, IReadOnlyList<string> names)
        => value.Split(',').Select(static part => part.Trim()).All(part =>
            part.Length > 0 && (names.Contains(part, StringComparer.OrdinalIgnoreCase) || long.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)));

    private static Node Find(string path)
        => path.Split(':').Aggregate(Root, static (node, key) => node.Element ?? node.Children![key]);

    private static IEnumerable<(string Key, string? Suggestion)> Walk(IConfigurationSection section, Node node)
    {
        foreach (var child in section.GetChildren())
        {
            Node? next;
            if (node.Element is { } element)
            {
                next = element;
            }
            else if (node.Children is null || !node.Children.TryGetValue(child.Key, out next))
            {
                yield return (child.Path, Nearest(child.Key, node.Children?.Keys) is { } near ? $"{section.Path}:{near}" : null);
                continue;
            }

            foreach (var unknown in Walk(child, next))
            {
                yield return unknown;
            }
        }
    }

    private static IEnumerable<string> Paths(Node node, string? prefix)
    {
        var children = node.Element is { } element ? [new KeyValuePair<string, Node>("*", element)] : node.Children ?? Enumerable.Empty<KeyValuePair<string, Node>>();
        foreach (var (key, child) in children)
        {
            var path = prefix is null ? key : $"{prefix}:{key}";
            yield return path;
            foreach (var nested in Paths(child, path))
            {
                yield return nested;
            }
        }
    }

    private static string? Nearest(string key, IEnumerable<string>? candidates)
        => candidates?.MinBy(candidate => Distance(key.ToUpperInvariant(), candidate.ToUpperInvariant()));

    /// <summary>Levenshtein distance, two rows.</summary>
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static Node Object(params (string Key, Node Node)[] children)
        => new(children.ToDictionary(static c => c.Key, static c => c.Node, StringComparer.OrdinalIgnoreCase), null);

    /// <summary>A list or dictionary: any key, each value shaped like <paramref name="element"/>.</summary>
    private static Node Items(Node element) => new(null, element);

    /// <summary>A leaf that takes one of <typeparamref name="TEnum"/>'s names (generic, so trimming and NativeAOT keep them).</summary>
    private static Node Choice<TEnum>()
        where TEnum : struct, Enum
        => new(null, null) { Choices = Enum.GetNames<TEnum>() };

    /// <summary>A key's shape: an object with named children, a list/dictionary of elements, or a leaf (neither); an enum leaf lists its names.</summary>
    private sealed record Node(Dictionary<string, Node>? Children, Node? Element)
    {
        public IReadOnlyList<string>? Choices { get; init; }
    }
}
