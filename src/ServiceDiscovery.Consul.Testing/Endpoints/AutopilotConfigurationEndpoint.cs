// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET/PUT /v1/operator/autopilot/configuration</c>: Consul's defaults (api.NewAutopilotConfiguration), kept per
/// datacenter. A PUT starts from the defaults, decodes leniently as Go's <c>decodeBody</c> does, answers <c>true</c>,
/// or with <c>?cas=</c> whether the index matched.
/// </summary>
internal static class AutopilotConfigurationEndpoint
{
    /// <summary>The index the leader wrote the initial configuration at (synthetic: early in a dev server's log).</summary>
    private const ulong InitialIndex = 5;

    private static readonly ConditionalWeakTable<StateStore, StrongBox<Settings>> Current = new();

    public static async Task HandleAsync(AgentRequest r)
    {
        if (r.Method == "GET")
        {
            if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is null
                || !await OperatorEndpoints.RequireOperatorAsync(r, ConsulTestAclAccess.Read).ConfigureAwait(false))
            {
                return;
            }

            Settings current;
            lock (r.Store.Sync)
            {
                current = Box(r).Value!;
            }

            await Responses.WriteJsonAsync(r, w => Write(w, current)).ConfigureAwait(false);
            return;
        }

        Settings proposed;
        try
        {
            using var document = JsonBody.Parse(await r.ReadBodyAsync().ConfigureAwait(false));
            proposed = Decode(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonDecodeException or FormatException or InvalidOperationException)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Error parsing autopilot config: {ex.Message}").ConfigureAwait(false);
            return;
        }

        ulong? cas = null;
        if (r.Query.Has("cas"))
        {
            var raw = r.Query.Get("cas");
            if (!ulong.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                await Responses.WriteErrorAsync(r.Context, 400, $"Error parsing cas value: strconv.ParseUint: parsing \"{raw}\": invalid syntax").ConfigureAwait(false);
                return;
            }

            cas = value;
        }

        if (!await OperatorEndpoints.RequireOperatorAsync(r, ConsulTestAclAccess.Write).ConfigureAwait(false))
        {
            return;
        }

        bool applied;
        lock (r.Store.Sync)
        {
            var box = Box(r);
            applied = cas is null || cas == box.Value!.ModifyIndex;
            if (applied)
            {
                box.Value = proposed with { CreateIndex = box.Value!.CreateIndex, ModifyIndex = r.Store.NextIndex() };
            }
        }

        await Responses.WriteJsonAsync(r, w => w.WriteBooleanValue(applied)).ConfigureAwait(false);
    }

    private static StrongBox<Settings> Box(AgentRequest r) =>
        Current.GetValue(r.Store, _ => new StrongBox<Settings>(new Settings { CreateIndex = InitialIndex, ModifyIndex = InitialIndex }));

    private static void Write(Utf8JsonWriter w, Settings s)
    {
        w.WriteStartObject();
        w.WriteBoolean("CleanupDeadServers", s.CleanupDeadServers);
        w.WriteString("LastContactThreshold", s.LastContactThreshold.ToString());
        w.WriteNumber("MaxTrailingLogs", s.MaxTrailingLogs);
        w.WriteNumber("MinQuorum", s.MinQuorum);
        w.WriteString("ServerStabilizationTime", s.ServerStabilizationTime.ToString());
        w.WriteString("RedundancyZoneTag", s.RedundancyZoneTag);
        w.WriteBoolean("DisableUpgradeMigration", s.DisableUpgradeMigration);
        w.WriteString("UpgradeVersionTag", s.UpgradeVersionTag);
        w.WriteNumber("CreateIndex", s.CreateIndex);
        w.WriteNumber("ModifyIndex", s.ModifyIndex);
        w.WriteEndObject();
    }

    /// <summary>encoding/json into api.AutopilotConfiguration with unknown fields disallowed: field names match case-insensitively.</summary>
    private static Settings Decode(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("json: cannot unmarshal " + GoKind(root) + " into Go value of type api.AutopilotConfiguration");
        }

        var s = new Settings();
        foreach (var p in root.EnumerateObject())
        {
            var v = p.Value;
            s = p.Name.ToUpperInvariant() switch
            {
                "CLEANUPDEADSERVERS" => s with { CleanupDeadServers = v.ValueKind == JsonValueKind.Null ? s.CleanupDeadServers : v.GetBoolean() },
                "LASTCONTACTTHRESHOLD" => s with { LastContactThreshold = ReadDuration(v, s.LastContactThreshold) },
                "MAXTRAILINGLOGS" => s with { MaxTrailingLogs = v.ValueKind == JsonValueKind.Null ? s.MaxTrailingLogs : v.GetUInt64() },
                "MINQUORUM" => s with { MinQuorum = v.ValueKind == JsonValueKind.Null ? s.MinQuorum : v.GetUInt32() },
                "SERVERSTABILIZATIONTIME" => s with { ServerStabilizationTime = ReadDuration(v, s.ServerStabilizationTime) },
                "REDUNDANCYZONETAG" => s with { RedundancyZoneTag = v.GetString() ?? s.RedundancyZoneTag },
                "DISABLEUPGRADEMIGRATION" => s with { DisableUpgradeMigration = v.ValueKind == JsonValueKind.Null ? s.DisableUpgradeMigration : v.GetBoolean() },
                "UPGRADEVERSIONTAG" => s with { UpgradeVersionTag = v.GetString() ?? s.UpgradeVersionTag },

                // Read-only, but fields of the struct: a configuration sent back as it was read decodes.
                "CREATEINDEX" or "MODIFYINDEX" => s,

                // decodeBody disallows unknown fields (lib.DecodeJSON).
                _ => throw new FormatException($"json: unknown field {GoString.Quote(p.Name)}"),
            };
        }

        return s;
    }

    /// <summary>api.ReadableDuration: a Go duration string, or a number of nanoseconds.</summary>
    private static GoDuration ReadDuration(JsonElement v, GoDuration current)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Null:
                return current;
            case JsonValueKind.String:
                var text = v.GetString()!;
                return GoDuration.TryParse(text, out var parsed, out var error) ? parsed : throw new FormatException(error);
            case JsonValueKind.Number:
                return GoDuration.FromJsonNumber(v);
            default:
                throw new FormatException("invalid duration " + v.GetRawText());
        }
    }

    private static string GoKind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "null",
    };

    private sealed record Settings
    {
        public bool CleanupDeadServers { get; init; } = true;

        public GoDuration LastContactThreshold { get; init; } = GoDuration.FromTimeSpan(TimeSpan.FromMilliseconds(200));

        public ulong MaxTrailingLogs { get; init; } = 250;

        public uint MinQuorum { get; init; }

        public GoDuration ServerStabilizationTime { get; init; } = GoDuration.FromTimeSpan(TimeSpan.FromSeconds(10));

        public string RedundancyZoneTag { get; init; } = string.Empty;

        public bool DisableUpgradeMigration { get; init; }

        public string UpgradeVersionTag { get; init; } = string.Empty;

        public ulong CreateIndex { get; init; }

        public ulong ModifyIndex { get; init; }
    }
}
