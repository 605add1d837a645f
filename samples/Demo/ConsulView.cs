// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;

namespace Demo;

/// <summary>Reads what the Consul agent holds over its HTTP API (so it shows the same for a real Consul) and prints it.</summary>
internal sealed class ConsulView(Uri address) : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = address };

    public async Task<IReadOnlyList<Row>> ReadAsync(CancellationToken cancellationToken)
    {
        using var services = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/v1/agent/services", UriKind.Relative), cancellationToken));
        using var checks = JsonDocument.Parse(await _http.GetStringAsync(new Uri("/v1/agent/checks", UriKind.Relative), cancellationToken));
        var statusByService = checks.RootElement.EnumerateObject()
            .Select(c => (Service: c.Value.GetProperty("ServiceID").GetString()!, Status: c.Value.GetProperty("Status").GetString()!))
            .GroupBy(c => c.Service)
            .ToDictionary(g => g.Key, g => string.Join(",", g.Select(c => c.Status)));
        return [.. services.RootElement.EnumerateObject()
            .Select(s => s.Value)
            .Where(s => s.GetProperty("Tags").EnumerateArray().Any(t => t.GetString() == "demo"))
            .Select(s => new Row(
                s.GetProperty("Service").GetString()!,
                s.GetProperty("ID").GetString()!,
                string.Create(CultureInfo.InvariantCulture, $"{s.GetProperty("Address").GetString()}:{s.GetProperty("Port").GetInt32()}"),
                statusByService.GetValueOrDefault(s.GetProperty("ID").GetString()!, "(no check)")))
            .OrderBy(r => r.Service, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal)];
    }

    public async Task PrintAsync(string title, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(cancellationToken);
        Console.WriteLine();
        Console.WriteLine($"  Consul now ({title}):");
        Console.WriteLine($"  {"service",-9} {"instance",-28} {"address",-18} check");
        if (rows.Count == 0)
        {
            Console.WriteLine("  (no demo service registered)");
        }

        foreach (var row in rows)
        {
            Console.WriteLine($"  {row.Service,-9} {row.Id,-28} {row.Address,-18} {row.Check}");
        }

        Console.WriteLine();
    }

    public void Dispose() => _http.Dispose();

    internal sealed record Row(string Service, string Id, string Address, string Check);
}
