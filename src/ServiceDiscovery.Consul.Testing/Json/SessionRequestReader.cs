// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>The body of <c>PUT /v1/session/create</c> as Consul decodes it, before its defaults are fixed up.</summary>
internal sealed class SessionRequest
{
    public string Name { get; set; } = string.Empty;

    public string? Node { get; set; }

    /// <summary>Gets or sets the lock-delay; null keeps the 15 s default.</summary>
    public GoDuration? LockDelay { get; set; }

    public string Behavior { get; set; } = string.Empty;

    public string Ttl { get; set; } = string.Empty;

    /// <summary>Gets or sets NodeChecks; unset (the default list) when <see cref="NodeChecksSet"/> is false.</summary>
    public List<string>? NodeChecks { get; set; }

    public bool NodeChecksSet { get; set; }

    public List<(string Id, string Namespace)>? ServiceChecks { get; set; }

    public List<string>? Checks { get; set; }

    public bool ChecksSet { get; set; }
}

/// <summary>
/// Reads a session body as <c>structs.Session.UnmarshalJSON</c> does: a plain <c>json.Unmarshal</c> into an alias (so
/// unknown keys are ignored, keys match case-insensitively, <c>null</c> empties a list), and <c>LockDelay</c> as a
/// duration string or a number of nanoseconds, either read as seconds when below 1000 ns.
/// </summary>
internal static class SessionRequestReader
{
    private const long LockDelayMinThreshold = 1000;

    public static SessionRequest Read(ReadOnlyMemory<byte> body)
    {
        using var document = JsonBody.Parse(body);
        var root = document.RootElement;
        var request = new SessionRequest();
        if (root.ValueKind == JsonValueKind.Null)
        {
            return request;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonDecodeException($"json: cannot unmarshal {StrictObject.GoKind(root)} into Go value of type structs.Alias");
        }

        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name.ToUpperInvariant())
            {
                case "NAME":
                    request.Name = ReadString(value, "Name") ?? request.Name;
                    break;
                case "NODE":
                    request.Node = ReadString(value, "Node") ?? request.Node;
                    break;
                case "BEHAVIOR":
                    request.Behavior = ReadString(value, "Behavior") ?? request.Behavior;
                    break;
                case "TTL":
                    request.Ttl = ReadString(value, "TTL") ?? request.Ttl;
                    break;
                case "LOCKDELAY":
                    request.LockDelay = ReadLockDelay(value) ?? request.LockDelay;
                    break;
                case "NODECHECKS":
                    request.NodeChecks = ReadStrings(value, "NodeChecks");
                    request.NodeChecksSet = true;
                    break;
                case "CHECKS":
                    request.Checks = ReadStrings(value, "Checks");
                    request.ChecksSet = true;
                    break;
                case "SERVICECHECKS":
                    request.ServiceChecks = ReadServiceChecks(value);
                    break;
                default:
                    // ID, CreateIndex, ModifyIndex and unknown keys: ignored (create assigns its own).
                    break;
            }
        }

        return request;
    }

    private static GoDuration? ReadLockDelay(JsonElement value)
    {
        long nanos;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                var text = value.GetString()!;
                if (!GoDuration.TryParseNanoseconds(text, out nanos, out var error))
                {
                    throw new JsonDecodeException(error);
                }

                break;
            case JsonValueKind.Number:
                nanos = value.TryGetInt64(out var n) ? n : (long)Math.Truncate(value.GetDouble());
                break;
            default:
                nanos = 0;
                break;
        }

        if (nanos < LockDelayMinThreshold)
        {
            return new GoDuration(nanos * 1_000_000_000);
        }

        return new GoDuration(nanos);
    }

    private static string? ReadString(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString()!,
        _ => throw Mismatch(value, field, "string"),
    };

    private static List<string>? ReadStrings(JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Mismatch(value, field, "[]string");
        }

        return [.. value.EnumerateArray().Select(item => ReadString(item, field) ?? string.Empty)];
    }

    private static List<(string Id, string Namespace)>? ReadServiceChecks(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Mismatch(value, "ServiceChecks", "[]structs.ServiceCheck");
        }

        var list = new List<(string Id, string Namespace)>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw Mismatch(item, "ServiceChecks", "structs.ServiceCheck");
            }

            string id = string.Empty, ns = string.Empty;
            foreach (var p in item.EnumerateObject())
            {
                if (string.Equals(p.Name, "ID", StringComparison.OrdinalIgnoreCase))
                {
                    id = ReadString(p.Value, "ServiceChecks.ID") ?? id;
                }
                else if (string.Equals(p.Name, "Namespace", StringComparison.OrdinalIgnoreCase))
                {
                    ns = ReadString(p.Value, "ServiceChecks.Namespace") ?? ns;
                }
            }

            list.Add((id, ns));
        }

        return list;
    }

    private static JsonDecodeException Mismatch(JsonElement value, string field, string goType) =>
        new($"json: cannot unmarshal {StrictObject.GoKind(value)} into Go struct field .{field} of type {goType}");
}
