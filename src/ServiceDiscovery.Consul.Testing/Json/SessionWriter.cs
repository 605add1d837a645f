// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary><c>structs.Session</c> as the session endpoints return it (Go field order; <c>Checks</c> omitted when empty).</summary>
internal static class SessionWriter
{
    public static void WriteSessions(Utf8JsonWriter w, IEnumerable<SessionRecord> sessions)
    {
        w.WriteStartArray();
        foreach (var session in sessions)
        {
            Write(w, session);
        }

        w.WriteEndArray();
    }

    public static void Write(Utf8JsonWriter w, SessionRecord s)
    {
        w.WriteStartObject();
        w.WriteString("ID", s.Id);
        w.WriteString("Name", s.Name);
        w.WriteString("Node", s.Node);
        w.WriteNumber("LockDelay", s.LockDelayDuration.Nanoseconds);
        w.WriteString("Behavior", s.Behavior);
        w.WriteString("TTL", s.Ttl);
        WriteList(w, "NodeChecks", s.NodeChecks);
        if (s.ServiceChecks is null)
        {
            w.WriteNull("ServiceChecks");
        }
        else
        {
            w.WriteStartArray("ServiceChecks");
            foreach (var (id, ns) in s.ServiceChecks)
            {
                w.WriteStartObject();
                w.WriteString("ID", id);
                w.WriteString("Namespace", ns);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (s.Checks is { Count: > 0 })
        {
            WriteList(w, "Checks", s.Checks);
        }

        w.WriteNumber("CreateIndex", s.CreateIndex);
        w.WriteNumber("ModifyIndex", s.ModifyIndex);
        w.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter w, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            w.WriteNull(name);
            return;
        }

        ModelWriter.WriteStrings(w, name, values);
    }
}
