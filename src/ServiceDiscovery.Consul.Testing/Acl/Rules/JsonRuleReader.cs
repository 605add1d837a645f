// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using System.Text.Json;

namespace ServiceDiscovery.Consul.Testing.Acl.Rules;

/// <summary>
/// Reads rules written in JSON (Consul accepts them wherever it accepts HCL: HCL 1 reads a document that starts with
/// <c>{</c> as JSON) into the same tree <see cref="HclReader"/> builds. Repeated keys are kept, as HCL keeps them.
/// </summary>
internal static class JsonRuleReader
{
    /// <summary>Reads a JSON document into an object.</summary>
    /// <exception cref="RuleSyntaxException">The document is not valid JSON, or its top level is not an object.</exception>
    public static RuleObject Read(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var lineStarts = LineStarts(bytes);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        try
        {
            if (!reader.Read())
            {
                throw new RuleSyntaxException(new RulePosition(1, 1), "expected a JSON object, found nothing");
            }

            var root = ReadValue(ref reader, lineStarts);
            if (reader.Read())
            {
                throw new RuleSyntaxException(PositionOf(reader.TokenStartIndex, lineStarts), "unexpected content after the JSON object");
            }

            return root as RuleObject
                ?? throw new RuleSyntaxException(root.Position, "the rules must be a JSON object");
        }
        catch (JsonException e)
        {
            var position = new RulePosition((int)(e.LineNumber ?? 0) + 1, (int)(e.BytePositionInLine ?? 0) + 1);
            throw new RuleSyntaxException(position, FirstSentence(e.Message));
        }
    }

    private static RuleNode ReadValue(ref Utf8JsonReader reader, List<long> lineStarts)
    {
        var position = PositionOf(reader.TokenStartIndex, lineStarts);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<RuleEntry>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var keyPosition = PositionOf(reader.TokenStartIndex, lineStarts);
                    var key = reader.GetString()!;
                    reader.Read();
                    entries.Add(new RuleEntry(key, keyPosition, ReadValue(ref reader, lineStarts)));
                }

                return new RuleObject(position, entries);
            case JsonTokenType.StartArray:
                var items = new List<RuleNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, lineStarts));
                }

                return new RuleList(position, items);
            case JsonTokenType.String:
                return new RuleScalar(position, reader.GetString()!, IsString: true);
            case JsonTokenType.Number:
                return new RuleScalar(position, Encoding.UTF8.GetString(reader.ValueSpan), IsString: false);
            case JsonTokenType.True or JsonTokenType.False:
                return new RuleScalar(position, reader.GetBoolean() ? "true" : "false", IsString: false);
            default:
                throw new RuleSyntaxException(position, "null is not a valid value in rules");
        }
    }

    private static List<long> LineStarts(byte[] bytes)
    {
        var starts = new List<long> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts;
    }

    private static RulePosition PositionOf(long offset, List<long> lineStarts)
    {
        var index = lineStarts.BinarySearch(offset);
        var line = index >= 0 ? index : ~index - 1;
        return new RulePosition(line + 1, (int)(offset - lineStarts[line]) + 1);
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd('.', ' ');
    }
}
