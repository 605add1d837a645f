// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing;

namespace DevAgent;

/// <summary>
/// <c>/ui</c> on its own loopback port: one plain HTML page listing services, instances and check states, kept
/// live by a script that long-polls <c>/ui/state.json?index=N</c>. It reads the agent only through
/// <see cref="ConsulTestAgent"/>'s public members (<c>Index</c>, <c>Services</c>, <c>Checks</c>, <c>WaitUntilAsync</c>).
/// </summary>
internal static class DevAgentUi
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

    /// <summary>Starts the page on 127.0.0.1:<paramref name="port"/> (0 picks a free one).</summary>
    public static async Task<WebApplication> StartAsync(ConsulTestAgent agent, ConsulTestAgentOptions options, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None); // a start failure is thrown to the caller
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/", () => Results.Redirect("/ui/", permanent: true));
        app.MapGet("/ui", () => Results.Content(Page, "text/html; charset=utf-8")); // routing matches /ui/ too
        app.MapGet("/ui/state.json", (HttpContext context) => StateAsync(context, agent, options));
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }

    private static async Task StateAsync(HttpContext context, ConsulTestAgent agent, ConsulTestAgentOptions options)
    {
        _ = ulong.TryParse(context.Request.Query["index"], NumberStyles.None, CultureInfo.InvariantCulture, out var seen);
        try
        {
            await agent.WaitUntilAsync(a => a.Index != seen, TimeSpan.FromSeconds(30), context.RequestAborted);
        }
        catch (TimeoutException)
        {
            // Answer with the unchanged state so the page polls again.
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.Body);
        WriteState(w, agent, options);
    }

    private static void WriteState(Utf8JsonWriter w, ConsulTestAgent agent, ConsulTestAgentOptions options)
    {
        var index = agent.Index;
        var checks = agent.Checks;
        w.WriteStartObject();
        w.WriteNumber("index", index);
        w.WriteString("node", options.NodeName);
        w.WriteString("datacenter", options.Datacenter);
        w.WriteStartArray("services");
        foreach (var group in agent.Services.GroupBy(s => s.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("name", group.Key);
            w.WriteStartArray("instances");
            foreach (var s in group)
            {
                w.WriteStartObject();
                w.WriteString("id", s.Id);
                w.WriteString("address", s.Address.Length > 0 ? s.Address : agent.Address.Host);
                w.WriteNumber("port", s.Port);
                w.WriteStartArray("tags");
                foreach (var tag in s.Tags)
                {
                    w.WriteStringValue(tag);
                }

                w.WriteEndArray();
                w.WriteStartArray("checks");
                foreach (var c in checks.Where(c => c.ServiceId == s.Id || c.ServiceId.Length == 0))
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
