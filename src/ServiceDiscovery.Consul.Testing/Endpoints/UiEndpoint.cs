// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>/ui</c>: one plain HTML page listing services, instances and check states, kept live by a script that
/// long-polls <c>/ui/state.json?index=N</c> (a blocking read on the store's index).
/// </summary>
internal static class UiEndpoint
{
    private const string Page = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>ConsulTestAgent</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:2rem;color:#222}h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:1.5rem}
        table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top}
        .passing{color:#137333}.warning{color:#b06000}.critical{color:#c5221f}.meta{color:#666;font-size:.85rem}
        </style></head>
        <body><h1>ConsulTestAgent <span class="meta" id="info"></span></h1><div id="services">Loading...</div>
        <script>
        let index = 0;
        const esc = s => String(s).replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]));
        function render(state) {
          document.getElementById('info').textContent = `${state.node} · ${state.datacenter} · index ${state.index}`;
          if (state.services.length === 0) { document.getElementById('services').innerHTML = '<p>No services registered.</p>'; return; }
          document.getElementById('services').innerHTML = state.services.map(s => `<h2>${esc(s.name)}</h2><table>
            <tr><th>Instance</th><th>Address</th><th>Tags</th><th>Checks</th></tr>
            ${s.instances.map(i => `<tr><td>${esc(i.id)}</td><td>${esc(i.address)}:${i.port}</td><td>${i.tags.map(esc).join(', ')}</td>
            <td>${i.checks.map(c => `<div><span class="${esc(c.status)}">${esc(c.status)}</span> ${esc(c.name)}
            <div class="meta">${esc(c.output)}</div></div>`).join('')}</td></tr>`).join('')}</table>`).join('');
        }
        async function poll() {
          for (;;) {
            try {
              const response = await fetch(`/ui/state.json?index=${index}`);
              const state = await response.json();
              index = state.index; render(state);
            } catch (e) { await new Promise(r => setTimeout(r, 1000)); }
          }
        }
        poll();
        </script></body></html>
        """;

    public static async Task HandleAsync(HttpContext context, string path, GoQuery query, AgentState state, ConsulTestAgentOptions options, CancellationToken aborted)
    {
        if (path != "/ui/state.json")
        {
            await Responses.WriteTextAsync(context, 200, Page, "text/html; charset=utf-8").ConfigureAwait(false);
            return;
        }

        var store = state.Store;
        _ = ulong.TryParse(query.Get("index"), NumberStyles.None, CultureInfo.InvariantCulture, out var seen);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, aborted);
        while (true)
        {
            Task changed;
            lock (store.Sync)
            {
                changed = store.Changes.NextChange;
                if (store.Index != seen || timeout.IsCancellationRequested)
                {
                    break;
                }
            }

            try
            {
                await changed.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !aborted.IsCancellationRequested)
            {
                // Answer with the unchanged state so the page polls again.
            }
        }

        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            lock (store.Sync)
            {
                WriteState(w, state);
            }
        }

        context.Response.Headers.CacheControl = "no-store";
        await Responses.WriteTextAsync(context, 200, string.Empty, "application/json").ConfigureAwait(false);
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.ToArray(), aborted).ConfigureAwait(false);
    }

    private static void WriteState(Utf8JsonWriter w, AgentState state)
    {
        var (store, local) = (state.Store, state.Local);
        var node = store.Node(local.Node.Name);
        w.WriteStartObject();
        w.WriteNumber("index", store.Index);
        w.WriteString("node", local.Node.Name);
        w.WriteString("datacenter", local.Node.Datacenter);
        w.WriteStartArray("services");
        foreach (var group in local.Services.Values.GroupBy(s => s.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("name", group.Key);
            w.WriteStartArray("instances");
            foreach (var s in group.OrderBy(s => s.Id, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("id", s.Id);
                w.WriteString("address", s.Address.Length > 0 ? s.Address : local.Node.Address);
                w.WriteNumber("port", s.Port);
                w.WriteStartArray("tags");
                foreach (var tag in s.Tags)
                {
                    w.WriteStringValue(tag);
                }

                w.WriteEndArray();
                w.WriteStartArray("checks");
                foreach (var c in node.Checks.Values.Where(c => c.ServiceId == s.Id || c.ServiceId.Length == 0).OrderBy(c => c.CheckId, StringComparer.Ordinal))
                {
                    w.WriteStartObject();
                    w.WriteString("name", c.Name);
                    w.WriteString("status", c.Status);
                    w.WriteString("output", c.Output);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
