// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ServiceDiscovery.Consul.Testing.Http;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET /v1/agent/metrics</c> (go-metrics' in-memory sink: <c>Timestamp, Gauges, Points, Counters, Samples</c>;
/// Prometheus text with <c>?format=prometheus</c> or an OpenMetrics <c>Accept</c>, which a <c>-dev</c> agent
/// refuses with 415 unless a retention time is set) and <c>GET /v1/agent/host</c> (gopsutil's host facts).
/// </summary>
internal static class AgentTelemetryEndpoints
{
    private const string PrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Map(Router router)
    {
        router.Add("/v1/agent/metrics", ["GET"], MetricsAsync);
        router.Add("/v1/agent/host", ["GET"], HostAsync);
    }

    private static async Task MetricsAsync(AgentRequest r)
    {
        if (await AgentClusterEndpoints.RequireAgentAsync(r, ConsulTestAclResource.Agent, ConsulTestAclAccess.Read).ConfigureAwait(false) is null)
        {
            return;
        }

        var gauges = Gauges(r);
        if (WantsPrometheus(r))
        {
            if (r.Options.PrometheusRetentionTime <= TimeSpan.Zero)
            {
                await Responses.WriteTextAsync(r.Context, 415, "Prometheus is not enabled since its retention time is not positive", "text/plain").ConfigureAwait(false);
                return;
            }

            var text = new StringBuilder();
            foreach (var (name, value) in gauges)
            {
                var metric = name.Replace('.', '_');
                text.Append(CultureInfo.InvariantCulture, $"# HELP {metric} {metric}\n# TYPE {metric} gauge\n{metric} {value}\n");
            }

            await Responses.WriteTextAsync(r.Context, 200, text.ToString(), PrometheusContentType).ConfigureAwait(false);
            return;
        }

        // The sink's current 10 s interval, printed with Go's time.Time.String().
        var now = r.Options.TimeProvider.GetUtcNow().UtcDateTime;
        var interval = new DateTime(now.Ticks - (now.Ticks % (TimeSpan.TicksPerSecond * 10)), DateTimeKind.Utc);
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteString("Timestamp", interval.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC");
            w.WriteStartArray("Gauges");
            foreach (var (name, value) in gauges)
            {
                w.WriteStartObject();
                w.WriteString("Name", name);
                w.WriteNumber("Value", value);
                w.WriteStartObject("Labels");
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("Points");
            w.WriteEndArray();
            w.WriteStartArray("Counters");
            w.WriteEndArray();
            w.WriteStartArray("Samples");
            w.WriteEndArray();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>Consul's <c>enablePrometheusOutput</c>: <c>?format=prometheus</c> or an OpenMetrics/0.0.4 Accept.</summary>
    private static bool WantsPrometheus(AgentRequest r)
    {
        if (r.Query.Get("format") == "prometheus")
        {
            return true;
        }

        foreach (var mime in r.Context.Request.Headers.Accept.ToString().Split(','))
        {
            var parts = mime.Split(';');
            var raw = parts[0].Trim().ToLowerInvariant();
            if (raw == "application/openmetrics-text" || (raw == "text/plain" && parts.Length > 1 && parts[1].Trim() == "version=0.4.0"))
            {
                return true;
            }
        }

        return false;
    }

    private static List<(string Name, double Value)> Gauges(AgentRequest r)
    {
        int services, checks;
        lock (r.Local.Sync)
        {
            services = r.Local.Services.Count;
            checks = r.Local.Checks.Count;
        }

        var process = Process.GetCurrentProcess();
        return
        [
            ("consul.autopilot.healthy", 1),
            ("consul.consul.members.clients", 0),
            ("consul.consul.members.servers", 1),
            ("consul.consul.state.nodes", 1),
            ("consul.consul.state.services", services + 1),
            ("consul.consul.state.service_instances", services + 1),
            ("consul.runtime.alloc_bytes", GC.GetTotalMemory(false)),
            ("consul.runtime.heap_objects", GC.CollectionCount(0)),
            ("consul.runtime.num_goroutines", ThreadPool.ThreadCount),
            ("consul.runtime.sys_bytes", process.WorkingSet64),
            ("consul.runtime.total_gc_pause_ns", GC.GetTotalPauseDuration().Ticks * 100),
            ("consul.runtime.total_gc_runs", GC.CollectionCount(0)),
            ("consul.agent.checks", checks),
        ];
    }

    private static async Task HostAsync(AgentRequest r)
    {
        if (await AgentClusterEndpoints.RequireAgentAsync(r, ConsulTestAclResource.Operator, ConsulTestAclAccess.Read).ConfigureAwait(false) is null)
        {
            return;
        }

        var gc = GC.GetGCMemoryInfo();
        var total = gc.TotalAvailableMemoryBytes;
        var used = Process.GetCurrentProcess().WorkingSet64;
        var uptime = (ulong)(Environment.TickCount64 / 1000);
        var now = r.Options.TimeProvider.GetUtcNow();
        var drive = new DriveInfo(Path.GetPathRoot(Path.GetTempPath()) ?? "/");
        await Responses.WriteJsonAsync(r, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("Memory");
            w.WriteNumber("total", total);
            w.WriteNumber("available", Math.Max(0, total - used));
            w.WriteNumber("used", used);
            w.WriteNumber("usedPercent", total > 0 ? 100.0 * used / total : 0);
            w.WriteNumber("free", Math.Max(0, total - used));
            w.WriteEndObject();
            w.WriteStartArray("CPU");
            for (var i = 0; i < Environment.ProcessorCount; i++)
            {
                w.WriteStartObject();
                w.WriteNumber("cpu", i);
                w.WriteString("vendorId", string.Empty);
                w.WriteString("family", string.Empty);
                w.WriteString("model", string.Empty);
                w.WriteNumber("stepping", 0);
                w.WriteString("physicalId", string.Empty);
                w.WriteString("coreId", i.ToString(CultureInfo.InvariantCulture));
                w.WriteNumber("cores", 1);
                w.WriteString("modelName", string.Empty);
                w.WriteNumber("mhz", 0);
                w.WriteNumber("cacheSize", 0);
                w.WriteStartArray("flags");
                w.WriteEndArray();
                w.WriteString("microcode", string.Empty);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("Host");
            w.WriteString("hostname", Environment.MachineName);
            w.WriteNumber("uptime", uptime);
            w.WriteNumber("bootTime", (ulong)now.ToUnixTimeSeconds() - uptime);
            w.WriteNumber("procs", Process.GetProcesses().Length);
            w.WriteString("os", DevAgentFacts.GoOs);
            w.WriteString("platform", string.Empty);
            w.WriteString("platformFamily", string.Empty);
            w.WriteString("platformVersion", string.Empty);
            w.WriteString("kernelVersion", Environment.OSVersion.Version.ToString());
            w.WriteString("kernelArch", System.Runtime.InteropServices.RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant());
            w.WriteString("virtualizationSystem", string.Empty);
            w.WriteString("virtualizationRole", string.Empty);
            w.WriteString("hostId", r.Local.Node.Id);
            w.WriteEndObject();
            WriteDisk(w, drive);
            w.WriteNumber("CollectionTime", now.ToUnixTimeMilliseconds() * 1_000_000);
            w.WriteNull("Errors");
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    private static void WriteDisk(Utf8JsonWriter w, DriveInfo drive)
    {
        long size = 0, free = 0;
        var format = string.Empty;
        try
        {
            size = drive.TotalSize;
            free = drive.AvailableFreeSpace;
            format = drive.DriveFormat;
        }
        catch (IOException)
        {
            // Unknown: zeros, as gopsutil leaves them.
        }
        catch (UnauthorizedAccessException)
        {
            // Likewise.
        }

        w.WriteStartObject("Disk");
        w.WriteString("path", drive.Name);
        w.WriteString("fstype", format);
        w.WriteNumber("total", size);
        w.WriteNumber("free", free);
        w.WriteNumber("used", size - free);
        w.WriteNumber("usedPercent", size > 0 ? 100.0 * (size - free) / size : 0);
        w.WriteEndObject();
    }
}
