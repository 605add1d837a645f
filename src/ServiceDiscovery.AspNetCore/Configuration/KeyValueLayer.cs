// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using YamlDotNet.Core;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// The configuration one prefix contributes. Each key is parsed once per <c>ModifyIndex</c>; a document that fails to
/// parse keeps the values its key had before (bad data never removes good settings) and is logged once. Within a
/// prefix, single keys win over JSON documents that set the same path.
/// </summary>
internal sealed partial class KeyValueLayer(string prefix, ILogger logger, Counter<long> malformedDocuments)
{
    private static readonly Dictionary<string, string?> Empty = new(StringComparer.OrdinalIgnoreCase);
    private Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public string Prefix { get; } = prefix;

    /// <summary>Gets this layer's configuration entries.</summary>
    public IReadOnlyDictionary<string, string?> Data { get; private set; } = Empty;

    /// <summary>Replaces the layer with what Consul now holds under the prefix; true when <see cref="Data"/> changed.</summary>
    /// <param name="pairs">Every key under the prefix.</param>
    /// <param name="indexReset">
    /// The answer follows an index reset (a failed query or an index that went backwards): a restarted agent numbers
    /// its writes from a fresh index again, so an equal <c>ModifyIndex</c> no longer means an unchanged value and every
    /// key is parsed again.
    /// </param>
    public bool Update(IReadOnlyList<KVPair> pairs, bool indexReset = false)
    {
        var next = new Dictionary<string, Entry>(pairs.Count, StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            _entries.TryGetValue(pair.Key, out var previous);
            next[pair.Key] = !indexReset && previous is not null && previous.ModifyIndex == pair.ModifyIndex ? previous : Parse(pair, previous);
        }

        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in next.OrderBy(static e => e.Key, StringComparer.Ordinal).Select(static e => e.Value).OrderBy(static e => e.IsDocument ? 0 : 1))
        {
            foreach (var (path, value) in entry.Values)
            {
                data[path] = value;
            }
        }

        _entries = next;
        FromSnapshot = false;
        IsLive = true;
        var changed = !SameAs(Data, data);
        Data = data;
        return changed;
    }

    /// <summary>Serves values from a snapshot until Consul answers; the first live answer replaces them.</summary>
    public void Restore(IReadOnlyDictionary<string, string?> values)
    {
        _entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        Data = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);
        FromSnapshot = true;
    }

    /// <summary>Gets a value indicating whether Consul has answered for this prefix (its values are live).</summary>
    public bool IsLive { get; private set; }

    /// <summary>Gets a value indicating whether <see cref="Data"/> still comes from the snapshot file.</summary>
    public bool FromSnapshot { get; private set; }

    private Entry Parse(KVPair pair, Entry? previous)
    {
        var path = KeyValuePath.ToConfigurationPath(Prefix, pair.Key);
        var bytes = pair.Value ?? [];
        if (path.Length == 0 || pair.Key.EndsWith('/'))
        {
            // The prefix itself or a folder marker: nothing to configure.
            return new Entry(pair.ModifyIndex, false, Empty);
        }

        if (!Utf8.IsValid(bytes))
        {
            Log.NotUtf8(logger, pair.Key);
            return new Entry(pair.ModifyIndex, false, Empty);
        }

        if (KeyValuePath.IsYamlDocument(pair.Key))
        {
            try
            {
                return new Entry(pair.ModifyIndex, true, YamlDocumentFlattener.Flatten(Encoding.UTF8.GetString(bytes), KeyValuePath.DocumentBase(path)));
            }
            catch (YamlException ex)
            {
                return Malformed(pair, previous, ex.Start.Line, ex.Start.Column);
            }
        }

        if (!KeyValuePath.IsJsonDocument(pair.Key))
        {
            return new Entry(pair.ModifyIndex, false, new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { [path] = Encoding.UTF8.GetString(bytes) });
        }

        try
        {
            return new Entry(pair.ModifyIndex, true, JsonDocumentFlattener.Flatten(bytes, KeyValuePath.DocumentBase(path)));
        }
        catch (JsonException ex)
        {
            return Malformed(pair, previous, ex.LineNumber + 1, ex.BytePositionInLine + 1);
        }
    }

    /// <summary>A document that does not parse keeps what its key gave before; counted and logged once per ModifyIndex.</summary>
    private Entry Malformed(KVPair pair, Entry? previous, long? line, long? position)
    {
        malformedDocuments.Add(1);
        Log.MalformedDocument(logger, pair.Key, line, position, previous is null ? "none (the key contributes nothing)" : "the previous good document");
        return new Entry(pair.ModifyIndex, true, previous?.Values ?? Empty);
    }

    private static bool SameAs(IReadOnlyDictionary<string, string?> current, Dictionary<string, string?> next)
        => current.Count == next.Count && next.All(e => current.TryGetValue(e.Key, out var value) && string.Equals(value, e.Value, StringComparison.Ordinal));

    private sealed record Entry(ulong ModifyIndex, bool IsDocument, IReadOnlyDictionary<string, string?> Values);
}
