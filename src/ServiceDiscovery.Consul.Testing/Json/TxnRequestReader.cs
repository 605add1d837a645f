// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Buffers;
using System.Text.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// Decodes the body of <c>PUT /v1/txn</c> as Consul's strict decoder reads api.TxnOps: field names match
/// case-insensitively, an unknown key in an operation or in its <c>KV</c> object is refused, a KV <c>Value</c> is
/// base64, and type mismatches read as encoding/json's texts. Node, Service and Check operations
/// are kept as operations this agent fails with an error; an element naming no operation is dropped (convertOps).
/// </summary>
internal static class TxnRequestReader
{
    private static readonly SearchValues<char> Base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n");

    public static List<TxnKvOperation> Read(ReadOnlyMemory<byte> body)
    {
        using var document = JsonBody.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new JsonDecodeException($"json: cannot unmarshal {Kind(root)} into Go value of type api.TxnOps");
        }

        var ops = new List<TxnKvOperation>();
        foreach (var element in root.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new JsonDecodeException($"json: cannot unmarshal {Kind(element)} into Go value of type api.TxnOp");
            }

            if (ReadOperation(element) is { } op)
            {
                ops.Add(op);
            }
        }

        return ops;
    }

    private static TxnKvOperation? ReadOperation(JsonElement element)
    {
        TxnKvOperation? op = null;
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name.ToUpperInvariant();
            if (name is not ("KV" or "NODE" or "SERVICE" or "CHECK"))
            {
                throw UnknownField(property.Name);
            }

            if (property.Value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            var field = name == "KV" ? "KV" : name[..1] + name[1..].ToLowerInvariant();
            if (property.Value.ValueKind != JsonValueKind.Object)
            {
                throw new JsonDecodeException($"json: cannot unmarshal {Kind(property.Value)} into Go struct field TxnOp.{field} of type api.{field}TxnOp");
            }

            // convertOps takes KV first, then Node, Service and Check.
            var candidate = name == "KV" ? ReadKv(property.Value) : Unsupported(field, property.Value);
            if (op is null || candidate.Unsupported is null)
            {
                op = candidate;
            }
        }

        return op;
    }

    private static TxnKvOperation ReadKv(JsonElement kv)
    {
        string verb = string.Empty, key = string.Empty, session = string.Empty;
        byte[]? value = null;
        ulong flags = 0, index = 0;
        foreach (var p in kv.EnumerateObject())
        {
            switch (p.Name.ToUpperInvariant())
            {
                case "VERB":
                    verb = String(p.Value, "Verb", "api.KVOp");
                    break;
                case "KEY":
                    key = String(p.Value, "Key", "string");
                    break;
                case "SESSION":
                    session = String(p.Value, "Session", "string");
                    break;
                case "FLAGS":
                    flags = UInt(p.Value, "Flags");
                    break;
                case "INDEX":
                    index = UInt(p.Value, "Index");
                    break;
                case "VALUE":
                    value = Base64(p.Value);
                    break;
                case "NAMESPACE" or "PARTITION":
                    // api.KVTxnOp carries both (the API package is shared with Enterprise); CE ignores them.
                    String(p.Value, p.Name, "string");
                    break;
                default:
                    throw UnknownField(p.Name);
            }
        }

        return new TxnKvOperation(verb, key, value, flags, index, session);
    }

    private static TxnKvOperation Unsupported(string field, JsonElement op)
    {
        var verb = op.EnumerateObject().FirstOrDefault(p => p.Name.Equals("Verb", StringComparison.OrdinalIgnoreCase)).Value;
        var text = verb.ValueKind == JsonValueKind.String ? verb.GetString()! : string.Empty;
        return new TxnKvOperation(text, string.Empty, null, 0, 0, string.Empty,
            $"{field} operations are not supported by the Consul test agent (verb \"{text}\")");
    }

    private static string String(JsonElement value, string field, string type) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => string.Empty,
        _ => throw Mismatch(value, field, type),
    };

    private static ulong UInt(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.Null => 0,
        JsonValueKind.Number when value.TryGetUInt64(out var n) => n,
        JsonValueKind.Number => throw new JsonDecodeException($"json: cannot unmarshal number {value.GetRawText()} into Go struct field KVTxnOp.KV.{field} of type uint64"),
        _ => throw Mismatch(value, field, "uint64"),
    };

    private static byte[]? Base64(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw Mismatch(value, "Value", "[]uint8");
        }

        var text = value.GetString()!;
        var bad = text.AsSpan().IndexOfAnyExcept(Base64Alphabet);
        if (bad < 0 && text.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal).Length % 4 == 0)
        {
            try
            {
                return Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                bad = text.IndexOf('=', StringComparison.Ordinal);
            }
        }

        throw new JsonDecodeException($"illegal base64 data at input byte {(bad < 0 ? text.Length : bad)}");
    }

    private static JsonDecodeException UnknownField(string name) => new($"json: unknown field \"{name}\"");

    private static JsonDecodeException Mismatch(JsonElement value, string field, string type) =>
        new($"json: cannot unmarshal {Kind(value)} into Go struct field KVTxnOp.KV.{field} of type {type}");

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        _ => "bool",
    };
}
