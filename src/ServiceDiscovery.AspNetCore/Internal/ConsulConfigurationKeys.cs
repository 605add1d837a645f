// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace ServiceDiscovery.AspNetCore.Internal;

/// <summary>
/// The keys <see cref="ConsulOptions"/> binds, kept by hand (no reflection: trimming and NativeAOT safe; a test checks
/// the list against the options types), and the walk that finds keys under the bound section that bind to nothing.
/// </summary>
internal static class ConsulConfigurationKeys
{
    private static readonly Node Text = new(null, null);
    private static readonly Node Flag = Of(SettingKind.Flag);
    private static readonly Node Whole = Of(SettingKind.Whole);
    private static readonly Node Number = Of(SettingKind.Number);
    private static readonly Node Duration = Of(SettingKind.Duration);

    private static readonly Node Failover = Object(("Datacenters", Items(Text)), ("NearestN", Whole));

    private static readonly Node Root = Object(
        ("Address", Text), ("Token", Text), ("TokenFile", Text), ("Datacenter", Text), ("Timeout", Duration),
        ("Tls", Object(("InsecureSkipVerify", Flag), ("CaFile", Text), ("ClientCertificateFile", Text), ("ClientKeyFile", Text), ("ServerName", Text))),
        ("Service", Object(
            ("Name", Text), ("Id", Text), ("Address", Text), ("Port", Whole), ("Tags", Items(Text)), ("Meta", Items(Text)),
            ("Weights", Object(("Passing", Whole), ("Warning", Whole))),
            ("EnableTagOverride", Flag), ("PreferHttps", Flag), ("PreferIpAddress", Flag), ("PreferredNetworks", Items(Text)))),
        ("Check", Object(
            ("Kind", Choice<ConsulCheckKind>()), ("Path", Text), ("MapEndpoint", Flag), ("Interval", Duration), ("Timeout", Duration), ("Ttl", Duration),
            ("DeregisterCriticalServiceAfter", Duration), ("TlsSkipVerify", Flag), ("GrpcService", Text),
            ("AdditionalChecks", Items(Object(
                ("Name", Text), ("Kind", Choice<ConsulCheckKind>()), ("Target", Text), ("Interval", Duration), ("Timeout", Duration), ("GrpcUseTls", Flag), ("TlsSkipVerify", Flag)))))),
        ("Registration", Object(
            ("Enabled", Flag), ("FailFast", Flag), ("RetryInitialDelay", Duration), ("RetryMaxDelay", Duration), ("AntiEntropyInterval", Duration),
            ("ShutdownMode", Choice<ConsulShutdownMode>()), ("DrainDelay", Duration))),
        ("Discovery", Object(
            ("PassingOnly", Flag), ("Tags", Items(Text)), ("Filter", Text), ("Consistency", Choice<ConsulConsistencyMode>()), ("TaggedAddress", Text), ("WaitTime", Duration),
            ("MinimumQueryInterval", Duration), ("RetryDelay", Duration), ("MaxRetryDelay", Duration), ("IdleTimeout", Duration), ("VoidGracePeriod", Duration),
            ("PanicThreshold", Number), ("WatchMode", Choice<ConsulWatchMode>()), ("DatacenterWatchThreshold", Whole), ("MaxConnections", Whole),
            ("SnapshotPath", Text), ("SnapshotMaxAge", Duration), ("Failover", Failover),
            ("Services", Items(Object(
                ("PassingOnly", Flag), ("Tags", Items(Text)), ("Filter", Text), ("Datacenter", Text), ("Consistency", Choice<ConsulConsistencyMode>()), ("TaggedAddress", Text),
                ("Failover", Failover)))))),
        ("Connect", Object(("Enabled", Flag), ("ClientOnly", Flag), ("AuthorizationCacheDuration", Duration))),
        ("LoadBalancing", Object(("Policy", Choice<ConsulLoadBalancingPolicy>()), ("EjectionDuration", Duration), ("ConsecutiveFailuresToEject", Whole))),
        ("KeyValue", Object(
            ("Optional", Flag), ("Root", Text), ("ApplicationName", Text), ("Environment", Text), ("WaitTime", Duration), ("SnapshotPath", Text),
            ("Prefixes", Items(Text)))),
        ("Coordination", Object(
            ("Elections", Items(Object(("Key", Text), ("Value", Text), ("SessionTtl", Duration), ("LockDelay", Duration), ("StepDownAfter", Duration)))),
            ("Locks", Object(("KeyPrefix", Text), ("SessionTtl", Duration), ("LockDelay", Duration), ("StepDownAfter", Duration))))));

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

    /// <summary>The known keys that take a value of one kind (a flag, a number, a duration), relative to the section, with the kind.</summary>
    public static IEnumerable<(string Path, SettingKind Kind)> KnownKinds()
        => KnownPaths().Select(path => (Path: path, Node: Find(path))).Where(static p => p.Node.Kind is not null).Select(static p => (p.Path, p.Node.Kind!));

    /// <summary>Whether the key at <paramref name="relativePath"/> (<c>Registration:DrainDelay</c>, list indexes as written) takes a duration.</summary>
    public static bool IsDuration(string relativePath)
    {
        var node = Root;
        foreach (var key in relativePath.Split(':'))
        {
            if ((node.Element ?? node.Children?.GetValueOrDefault(key)) is not { } next)
            {
                return false;
            }

            node = next;
        }

        return node.Kind == SettingKind.Duration;
    }

    /// <summary>
    /// Every key under <paramref name="section"/> whose value the binder cannot convert (an enum key given none of the
    /// enum's names, a flag, number or duration key given something else), as a message naming the key, the value and
    /// valid values: the binder's own error names the key and the .NET type, not the fix, and stops at the first.
    /// </summary>
    /// <param name="section">The bound section (<c>Consul</c>).</param>
    /// <param name="only">The top-level keys to look under (<c>Timeout</c>, <c>KeyValue</c>); none means all.</param>
    public static IEnumerable<string> FindInvalidValues(IConfiguration section, params string[] only)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(only);
        return WalkValues(section, Root, only);
    }

    private static IEnumerable<string> WalkValues(IConfiguration section, Node node, string[] only)
    {
        foreach (var child in section.GetChildren())
        {
            if (only.Length > 0 && !only.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var next = node.Element ?? node.Children?.GetValueOrDefault(child.Key);
            if (next is null)
            {
                continue;
            }

            if (child.Value is { } value)
            {
                if (next.Choices is { } names && !IsChoice(value, names))
                {
                    yield return $"{child.Path} '{value}' is not one of its values. Use {string.Join(", ", names.SkipLast(1))} or {names[^1]}.";
                }
                else if (next.Kind is { } kind && !kind.Accepts(value))
                {
                    yield return kind.Invalid(child.Path, value);
                }
            }

            foreach (var invalid in WalkValues(child, next, []))
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

    /// <summary>The candidate closest to <paramref name="key"/> (edit distance, case-insensitive), or <see langword="null"/> when there is none.</summary>
    public static string? Nearest(string key, IEnumerable<string>? candidates)
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

    /// <summary>A leaf that takes one kind of value (converted by the binder, so a wrong one fails binding).</summary>
    private static Node Of(SettingKind kind) => new(null, null) { Kind = kind };

    /// <summary>A key's shape: an object with named children, a list/dictionary of elements, or a leaf (neither); an enum leaf lists its names, a typed leaf its kind.</summary>
    private sealed record Node(Dictionary<string, Node>? Children, Node? Element)
    {
        public IReadOnlyList<string>? Choices { get; init; }

        public SettingKind? Kind { get; init; }
    }
}
