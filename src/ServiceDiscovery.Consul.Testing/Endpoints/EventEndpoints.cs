// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ServiceDiscovery.Consul.Testing.Acl;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>PUT /v1/event/fire/:name</c> and <c>GET /v1/event/list</c> (agent/event_endpoint.go). A fired event reaches this
/// agent at once; the agent keeps it only when its <c>node</c>/<c>service</c>/<c>tag</c> filters match it
/// (<c>shouldProcessUserEvent</c>; the service filter is matched against local service IDs). The list's index is
/// <see cref="UserEvent.IdToIndex"/> of its last event (1 when empty), and a blocking list waits while that equals
/// <c>index</c>.
/// </summary>
internal static class EventEndpoints
{
    /// <summary>serf's default <c>UserEventSizeLimit</c>, applied to the event name plus its msgpack encoding.</summary>
    private const int SizeLimit = 512;

    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);

    public static void Map(Router router)
    {
        router.Add("/v1/event/fire/", ["PUT"], FireAsync);
        router.Add("/v1/event/list", ["GET"], ListAsync);
    }

    private static async Task FireAsync(AgentRequest r)
    {
        var name = r.Parameter;
        if (name.Length == 0)
        {
            await Responses.WriteErrorAsync(r.Context, 400, "Missing name").ConfigureAwait(false);
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await r.RequireAsync(authorizer, AclResourceKind.Event, name, AclAccessLevel.Write).ConfigureAwait(false))
        {
            return;
        }

        var payload = r.Context.Request.ContentLength > 0 ? await r.ReadBodyAsync().ConfigureAwait(false) : [];
        var fired = new UserEvent(Guid.NewGuid().ToString(), name, payload, r.Query.Get("node"), r.Query.Get("service"), r.Query.Get("tag"));
        var error = r.Query.Get("dc") is { Length: > 0 } dc && dc != r.Options.Datacenter ? "No path to datacenter"
            : fired.TagFilter.Length > 0 && fired.ServiceFilter.Length == 0 ? "Cannot provide tag filter without service filter"
            : BadRegex(fired.NodeFilter, "node") ?? BadRegex(fired.ServiceFilter, "service") ?? BadRegex(fired.TagFilter, "tag")
            ?? (13 + Encoding.UTF8.GetByteCount(name) + EncodedSize(fired) > SizeLimit
                ? $"user event exceeds configured limit of {SizeLimit} bytes before encoding"
                : null);
        if (error is not null)
        {
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        if (ShouldProcess(r, fired))
        {
            r.Local.Events.Receive(fired);
            r.Store.Changes.Publish();
        }

        await Responses.WriteJsonAsync(r, w => Write(w, fired)).ConfigureAwait(false);
    }

    private static async Task ListAsync(AgentRequest r)
    {
        if (await BlockingQuery.ParseAsync(r).ConfigureAwait(false) is not { } blocking)
        {
            return;
        }

        if (await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer)
        {
            return;
        }

        var name = r.Query.Get("name");
        using var timeout = new CancellationTokenSource(blocking.Wait + Jitter(blocking.Wait), r.Options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, r.Aborted);
        List<UserEvent> events;
        ulong index;
        while (true)
        {
            var changed = r.Store.Changes.NextChange;
            // Events the token may not read are left out silently, as the agent's filter does.
            events = [.. r.Local.Events.Snapshot().Where(e => (name.Length == 0 || e.Name == name) && authorizer.Allows(AclResourceKind.Event, e.Name, AclAccessLevel.Read))];
            index = events.Count == 0 ? 1 : UserEvent.IdToIndex(events[^1].Id);
            if (blocking.MinIndex == 0 || index != blocking.MinIndex || timeout.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await changed.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !r.Aborted.IsCancellationRequested)
            {
                // Timed out: answer with the current list.
            }
        }

        // The event list sets only the index header (setIndex), not the rest of the query meta.
        r.Response.Headers["X-Consul-Index"] = index.ToString(CultureInfo.InvariantCulture);
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartArray();
            foreach (var e in events)
            {
                Write(w, e);
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
    }

    private static TimeSpan Jitter(TimeSpan wait) =>
        TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * wait.TotalMilliseconds / 16);

    /// <summary>The UserEvent JSON: no JSON tags in Go, so every field is written and an empty Payload is null.</summary>
    private static void Write(Utf8JsonWriter w, UserEvent e)
    {
        w.WriteStartObject();
        w.WriteString("ID", e.Id);
        w.WriteString("Name", e.Name);
        if (e.Payload.Length == 0)
        {
            w.WriteNull("Payload");
        }
        else
        {
            w.WriteBase64String("Payload", e.Payload);
        }

        w.WriteString("NodeFilter", e.NodeFilter);
        w.WriteString("ServiceFilter", e.ServiceFilter);
        w.WriteString("TagFilter", e.TagFilter);
        w.WriteNumber("Version", UserEvent.Version);
        w.WriteNumber("LTime", e.LTime);
        w.WriteEndObject();
    }

    /// <summary>shouldProcessUserEvent: the node filter against this node's name, the service and tag filters against its services.</summary>
    private static bool ShouldProcess(AgentRequest r, UserEvent e)
    {
        if (e.NodeFilter.Length > 0 && !Regex.IsMatch(r.Local.Node.Name, e.NodeFilter, RegexOptions.None, RegexTimeout))
        {
            return false;
        }

        if (e.ServiceFilter.Length == 0)
        {
            return true;
        }

        lock (r.Local.Sync)
        {
            return r.Local.Services.Values.Any(s => Regex.IsMatch(s.Id, e.ServiceFilter, RegexOptions.None, RegexTimeout)
                && (e.TagFilter.Length == 0 || s.Tags.Any(t => Regex.IsMatch(t, e.TagFilter, RegexOptions.None, RegexTimeout))));
        }
    }

    private static string? BadRegex(string pattern, string what)
    {
        if (pattern.Length == 0)
        {
            return null;
        }

        try
        {
            _ = new Regex(pattern, RegexOptions.None, RegexTimeout);
            return null;
        }
        catch (ArgumentException ex)
        {
            return $"Invalid {what} filter: error parsing regexp: {ex.Message}";
        }
    }

    /// <summary>The msgpack size of the event as the agent encodes it (short codec keys, omitempty payload and filters).</summary>
    private static int EncodedSize(UserEvent e)
    {
        static int Str(int n) => n < 32 ? 1 + n : n < 256 ? 2 + n : n < 65536 ? 3 + n : 5 + n;
        static int Bin(int n) => n < 256 ? 2 + n : n < 65536 ? 3 + n : 5 + n;
        static int Optional(string key, int valueSize, bool present) => present ? Str(key.Length) + valueSize : 0;
        var utf8 = Encoding.UTF8;
        return 1 + Str(2) + Str(e.Id.Length) + Str(1) + Str(utf8.GetByteCount(e.Name))
            + Optional("p", Bin(e.Payload.Length), e.Payload.Length > 0)
            + Optional("nf", Str(utf8.GetByteCount(e.NodeFilter)), e.NodeFilter.Length > 0)
            + Optional("sf", Str(utf8.GetByteCount(e.ServiceFilter)), e.ServiceFilter.Length > 0)
            + Optional("tf", Str(utf8.GetByteCount(e.TagFilter)), e.TagFilter.Length > 0)
            + Str(1) + 1;
    }
}
