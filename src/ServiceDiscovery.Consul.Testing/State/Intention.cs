// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The legacy view of one source of one entry (structs.Intention): source and destination in the default namespace,
/// with Consul's precedence. CE has one namespace, so only the names' wildcards count: exact destination 9, wildcard
/// destination 6, one less for a wildcard source (web→db 9, *→db 8, web→* 6, *→* 5).
/// </summary>
internal sealed record Intention(IntentionEntry Entry, IntentionSource Source)
{
    public const string Wildcard = "*";

    public string SourceName => Source.Name;

    public string DestinationName => Entry.Name;

    public int Precedence => (DestinationName == Wildcard ? 6 : 9) - (SourceName == Wildcard ? 1 : 0);

    /// <summary>Orders as Consul lists intentions: precedence descending, then source and destination (namespace, name) ascending.</summary>
    public static IEnumerable<Intention> Sort(IEnumerable<Intention> intentions) => intentions
        .OrderByDescending(i => i.Precedence)
        .ThenBy(i => i.SourceName, StringComparer.Ordinal)
        .ThenBy(i => i.DestinationName, StringComparer.Ordinal);

    /// <summary>Consul's <c>Intention.String()</c>, as authorize reasons quote it.</summary>
    public override string ToString()
    {
        var id = Source.LegacyId is { } legacy ? $"ID: {legacy}, " : string.Empty;
        return $"default/{SourceName} => default/{DestinationName} ({id}Precedence: {Precedence}, Action: {Source.Action.ToUpperInvariant()})";
    }
}
