// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ServiceDiscovery.AspNetCore.Configuration;

/// <summary>
/// A YAML document as configuration entries, the same shape <see cref="JsonDocumentFlattener"/> gives: mappings nest
/// with <c>:</c>, sequence items are numbered, scalars stay strings (<c>~</c>, <c>null</c> and empty plain scalars are
/// null). Reads YamlDotNet's event stream only, no object mapping, so it is trimming/NativeAOT safe. Throws
/// <see cref="YamlException"/>, with the line and column, for malformed input and for anchors' aliases (configuration
/// has no use for them and they would let a small document expand without bound).
/// </summary>
internal static class YamlDocumentFlattener
{
    public static Dictionary<string, string?> Flatten(string text, string basePath)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (parser.TryConsume<StreamEnd>(out _))
        {
            return data;
        }

        parser.Consume<DocumentStart>();
        if (!parser.Accept<MappingStart>(out _))
        {
            var current = parser.Current!;
            throw new YamlException(current.Start, current.End, "The document's root is not a mapping.");
        }

        Visit(parser, basePath, data);
        parser.Consume<DocumentEnd>();
        return data;
    }

    private static void Visit(IParser parser, string path, Dictionary<string, string?> data)
    {
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            data[path] = IsNull(scalar) ? null : scalar.Value;
        }
        else if (parser.TryConsume<MappingStart>(out _))
        {
            var any = false;
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var key = parser.Consume<Scalar>().Value;
                Visit(parser, Combine(path, key), data);
                any = true;
            }

            AddEmpty(path, any, data);
        }
        else if (parser.TryConsume<SequenceStart>(out _))
        {
            var index = 0;
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                Visit(parser, Combine(path, index.ToString(CultureInfo.InvariantCulture)), data);
                index++;
            }

            AddEmpty(path, index > 0, data);
        }
        else
        {
            var current = parser.Current!;
            throw new YamlException(current.Start, current.End, current is AnchorAlias ? "Aliases (*name) are not supported in configuration documents." : "Unexpected YAML content.");
        }
    }

    private static bool IsNull(Scalar scalar)
        => scalar.Style == ScalarStyle.Plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";

    private static void AddEmpty(string path, bool any, Dictionary<string, string?> data)
    {
        if (!any && path.Length > 0)
        {
            data[path] = null;
        }
    }

    private static string Combine(string path, string name) => path.Length == 0 ? name : ConfigurationPath.Combine(path, name);
}
