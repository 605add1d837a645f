// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// The intentions of a datacenter, stored as Consul stores them since 1.9: one <c>service-intentions</c> config entry
/// per destination. The legacy endpoints read and write the same entries (a legacy create adds a source with a legacy
/// ID; an exact upsert edits the destination's entry), so both views always agree. Every write moves the store's
/// index; callers hold the store's lock and publish the change.
/// </summary>
internal sealed class IntentionStore
{
    private readonly Dictionary<string, IntentionEntry> _entries = new(StringComparer.Ordinal);

    /// <summary>Gets the index of the last intention write (the config entry table's index for this kind).</summary>
    public ulong Index { get; private set; }

    public IEnumerable<IntentionEntry> Entries => _entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal);

    public IntentionEntry? Entry(string destination) => _entries.GetValueOrDefault(destination);

    /// <summary>Every intention, in Consul's order.</summary>
    public IReadOnlyList<Intention> All() => [.. Intention.Sort(_entries.Values.SelectMany(e => e.Sources.Select(s => new Intention(e, s))))];

    /// <summary>The intentions that apply to calls to <paramref name="destination"/> (its own and the wildcard's), highest precedence first.</summary>
    public IReadOnlyList<Intention> MatchDestination(string destination) =>
        [.. All().Where(i => i.DestinationName == destination || i.DestinationName == Intention.Wildcard)];

    /// <summary>The intentions that apply to calls from <paramref name="source"/>, highest precedence first.</summary>
    public IReadOnlyList<Intention> MatchSource(string source) =>
        [.. All().Where(i => i.SourceName == source || i.SourceName == Intention.Wildcard)];

    /// <summary>The intention that decides a call from <paramref name="source"/> to <paramref name="destination"/>, or null.</summary>
    public Intention? Decide(string source, string destination) =>
        MatchDestination(destination).FirstOrDefault(i => i.SourceName == source || i.SourceName == Intention.Wildcard);

    public Intention? Exact(string source, string destination) =>
        _entries.GetValueOrDefault(destination)?.Sources.FirstOrDefault(s => s.Name == source) is { } found
            ? new Intention(_entries[destination], found)
            : null;

    public Intention? ByLegacyId(string id) => _entries.Values
        .SelectMany(e => e.Sources.Select(s => new Intention(e, s)))
        .FirstOrDefault(i => i.Source.LegacyId == id);

    /// <summary>Writes a whole config entry (validated by the caller), keeping its create index when it replaces one.</summary>
    public void Put(IntentionEntry entry, ulong index)
    {
        entry.CreateIndex = _entries.GetValueOrDefault(entry.Name)?.CreateIndex ?? index;
        entry.ModifyIndex = index;
        _entries[entry.Name] = entry;
        Index = index;
    }

    /// <summary>Replaces every entry and the table index with a snapshot's. The caller holds the store's lock.</summary>
    public void Restore(IEnumerable<IntentionEntry> entries, ulong index)
    {
        _entries.Clear();
        foreach (var entry in entries)
        {
            _entries[entry.Name] = entry;
        }

        Index = index;
    }

    /// <summary>Deletes the entry of <paramref name="destination"/>; returns whether there was one.</summary>
    public bool Delete(string destination, ulong index)
    {
        if (!_entries.Remove(destination))
        {
            return false;
        }

        Index = index;
        return true;
    }

    /// <summary>Legacy create: adds <paramref name="source"/> (with a new legacy ID) to the destination's legacy entry.</summary>
    /// <exception cref="IntentionException">The destination was edited as a config entry, or the pair exists.</exception>
    public string LegacyCreate(string destination, IntentionSource source, DateTimeOffset now, ulong index)
    {
        var entry = RequireLegacy(destination);
        if (entry?.Sources.FirstOrDefault(s => s.Name == source.Name) is { } duplicate)
        {
            throw new IntentionException($"duplicate intention found: {new Intention(entry, duplicate)}");
        }

        source.LegacyId = Guid.NewGuid().ToString();
        source.LegacyCreateTime = source.LegacyUpdateTime = now;
        source.LegacyMeta ??= [];
        AddSource(destination, source, index);
        return source.LegacyId;
    }

    /// <summary>
    /// Legacy update by ID: replaces the intention's source in place, in its destination's entry (the caller has
    /// refused a new destination, as Consul does). The entry keeps its <c>CreateIndex</c> and the source its position.
    /// </summary>
    /// <exception cref="IntentionException">No intention has the ID, the entry is not legacy-managed, or the new source name is taken.</exception>
    public void LegacyUpdate(string id, IntentionSource source, DateTimeOffset now, ulong index)
    {
        var existing = ByLegacyId(id) ?? throw new IntentionException($"Cannot modify non-existent intention: '{id}'");
        var entry = RequireLegacy(existing.DestinationName)!;
        if (Exact(source.Name, existing.DestinationName) is { } other && other.Source.LegacyId != id)
        {
            throw new IntentionException($"duplicate intention found: {other}");
        }

        source.LegacyId = id;
        source.LegacyCreateTime = existing.Source.LegacyCreateTime;
        source.LegacyUpdateTime = now;
        source.LegacyMeta ??= [];
        entry.Sources[entry.Sources.IndexOf(existing.Source)] = source;
        entry.ModifyIndex = index;
        Index = index;
    }

    /// <summary>Legacy delete by ID.</summary>
    /// <exception cref="IntentionException">No intention has the ID.</exception>
    public void LegacyDelete(string id, ulong index) =>
        RemoveSource(ByLegacyId(id) ?? throw new IntentionException($"Cannot delete non-existent intention: '{id}'"), index);

    /// <summary>Upsert by name (<c>PUT /exact</c>): edits the pair's source in place or adds it, as a config entry edit.</summary>
    public void Upsert(string destination, IntentionSource source, ulong index)
    {
        if (Exact(source.Name, destination) is { } existing)
        {
            var position = existing.Entry.Sources.IndexOf(existing.Source);
            existing.Entry.Sources[position] = source;
            existing.Entry.ModifyIndex = index;
            Index = index;
            return;
        }

        AddSource(destination, source, index);
    }

    /// <summary>Delete by name (<c>DELETE /exact</c>); nothing happens when the pair has no intention.</summary>
    public void DeleteExact(string source, string destination, ulong index)
    {
        if (Exact(source, destination) is { } existing)
        {
            RemoveSource(existing, index);
        }
    }

    private IntentionEntry? RequireLegacy(string destination)
    {
        var entry = _entries.GetValueOrDefault(destination);
        if (entry is not null && !entry.IsLegacy)
        {
            throw new IntentionException(
                $"cannot use legacy intention API to edit intentions with a destination of \"{destination}\" after editing them via a service-intentions config entry");
        }

        return entry;
    }

    private void AddSource(string destination, IntentionSource source, ulong index)
    {
        if (!_entries.TryGetValue(destination, out var entry))
        {
            entry = new IntentionEntry { Name = destination, CreateIndex = index };
            _entries[destination] = entry;
        }

        entry.Sources.Add(source);
        entry.ModifyIndex = index;
        Index = index;
    }

    private void RemoveSource(Intention intention, ulong index)
    {
        var entry = intention.Entry;
        entry.Sources.Remove(intention.Source);
        entry.ModifyIndex = index;
        if (entry.Sources.Count == 0)
        {
            _entries.Remove(entry.Name);
        }

        Index = index;
    }
}

/// <summary>An intention write Consul refuses with a plain error (a 500 carrying the message).</summary>
internal sealed class IntentionException : Exception
{
    public IntentionException(string message)
        : base(message)
    {
    }

    public IntentionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
