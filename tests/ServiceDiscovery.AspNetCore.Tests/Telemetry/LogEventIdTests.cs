// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Telemetry;

/// <summary>
/// Event ids and names are what log queries and alerts filter on: each names a single event, and the areas' id
/// ranges and the event list in docs/telemetry.md (the one place they are written down) are what the code does.
/// </summary>
public sealed partial class LogEventIdTests
{
    private const string Document = "docs/telemetry.md";

    [Fact]
    public void EveryLoggerMessage_HasItsOwnEventIdNameAndTemplate_InsideItsAreasDocumentedRange()
    {
        var areas = DocumentedAreas();
        var messages = LoggerMessages();
        var problems = new List<string>();

        foreach (var message in messages)
        {
            if (string.IsNullOrWhiteSpace(message.EventName))
            {
                problems.Add($"{message.Where} (id {message.EventId}) has no EventName.");
            }

            // A pre-formatted "{Message}" hides every value from structured logging and every line from a query on its text.
            if (Placeholder().Matches(message.Template).Any(p => p.Groups[1].Value == "Message") || !Placeholder().Replace(message.Template, "").Any(char.IsLetter))
            {
                problems.Add($"{message.Where} has no template of its own: \"{message.Template}\".");
            }

            // The most specific namespace wins: ServiceDiscovery.Consul.Testing.State belongs to ServiceDiscovery.Consul.Testing.
            var area = areas
                .Where(a => message.Namespace == a.Namespace || message.Namespace.StartsWith(a.Namespace + ".", StringComparison.Ordinal))
                .MaxBy(a => a.Namespace.Length);
            if (area is null)
            {
                problems.Add($"{message.Where}: its namespace {message.Namespace} is in no area of {Document}.");
            }
            else if (message.EventId < area.First || message.EventId > area.Last)
            {
                problems.Add($"{message.Where} has id {message.EventId}, outside {area.Name} ({area.First}-{area.Last}).");
            }
        }

        problems.AddRange(messages.GroupBy(m => m.EventId).Where(g => g.Count() > 1)
            .Select(g => $"Id {g.Key} is used by {string.Join(", ", g.Select(m => m.Where))}."));
        problems.AddRange(messages.Where(m => !string.IsNullOrWhiteSpace(m.EventName)).GroupBy(m => m.EventName).Where(g => g.Count() > 1)
            .Select(g => $"EventName {g.Key} is used by {string.Join(", ", g.Select(m => m.Where))}."));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void DocumentedAreas_DoNotOverlap()
    {
        var areas = DocumentedAreas().OrderBy(a => a.First).ToList();

        Assert.True(areas.Count >= 8, $"Found only {areas.Count} id ranges in {Document}; the table or its parsing is broken.");
        Assert.All(areas, a => Assert.True(a.First <= a.Last, $"{a.Name}: {a.First}-{a.Last} is empty."));
        Assert.All(areas.Zip(areas.Skip(1)), pair => Assert.True(pair.First.Last < pair.Second.First, $"{pair.First.Name} and {pair.Second.Name} overlap."));
    }

    [Fact]
    public void TelemetryDoc_ListsEveryEvent_WithItsIdNameAndLevel()
    {
        var documented = DocumentedEvents();
        var actual = LoggerMessages().Select(m => $"{m.EventId} {m.EventName} {m.Level}").Order(StringComparer.Ordinal).ToList();

        var missing = actual.Except(documented.Select(e => e.Row), StringComparer.Ordinal).ToList();
        var stale = documented.Select(e => e.Row).Except(actual, StringComparer.Ordinal).ToList();
        Assert.True(
            missing.Count == 0 && stale.Count == 0,
            $"{Document} is out of step with the code.\nNot listed (id name level): {string.Join("; ", missing)}\nListed but not in the code: {string.Join("; ", stale)}");
        Assert.Equal(documented.Count, documented.Select(e => e.Row).Distinct(StringComparer.Ordinal).Count());
        Assert.All(documented, e => Assert.False(string.IsNullOrWhiteSpace(e.Meaning), $"{e.Row} has no meaning in {Document}."));
    }

    private static List<LoggerMessageInfo> LoggerMessages()
    {
        Assembly[] assemblies = [typeof(ConsulOptions).Assembly, typeof(ConsulTestAgent).Assembly, typeof(ConsulGrpcServiceCollectionExtensions).Assembly];
        var messages = assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(p => p.Attribute is not null)
            .Select(p => new LoggerMessageInfo(
                $"{p.Method.DeclaringType!.FullName}.{p.Method.Name}", p.Method.DeclaringType.Namespace ?? "", p.Attribute!.EventId, p.Attribute.EventName, p.Attribute.Level, p.Attribute.Message))
            .ToList();

        // The packages together hold about a hundred: far fewer means the scan no longer sees them.
        Assert.True(messages.Count > 80, $"Found only {messages.Count} [LoggerMessage] methods; the scan is broken.");
        return messages;
    }

    private static List<DocumentedArea> DocumentedAreas()
        => [.. AreaRow().Matches(LogsSection()).Select(m => new DocumentedArea(
            m.Groups["name"].Value,
            m.Groups["namespace"].Value,
            int.Parse(m.Groups["first"].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups["last"].Value, CultureInfo.InvariantCulture)))];

    private static List<(string Row, string Meaning)> DocumentedEvents()
        => [.. EventRow().Matches(LogsSection()).Select(m => ($"{m.Groups["id"].Value} {m.Groups["name"].Value} {m.Groups["level"].Value}", m.Groups["meaning"].Value))];

    /// <summary>The "## Logs" section: other sections' tables are not about events.</summary>
    private static string LogsSection()
    {
        var text = RepositoryFiles.ReadText(Document);
        var start = text.IndexOf("\n## Logs\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"{Document} has no '## Logs' section.");
        var end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }

    // | 1000–1999 | Consul HTTP client | `ServiceDiscovery.AspNetCore.Consul` |
    [GeneratedRegex(@"^\| (?<first>\d+)–(?<last>\d+) \| (?<name>[^|]+?) \| `(?<namespace>[\w.]+)` \|$", RegexOptions.Multiline)]
    private static partial Regex AreaRow();

    // | 1000 | `ConsulRequestCompleted` | Trace | meaning |
    [GeneratedRegex(@"^\| (?<id>\d+) \| `(?<name>\w+)` \| (?<level>\w+) \| (?<meaning>[^|]*?) \|$", RegexOptions.Multiline)]
    private static partial Regex EventRow();

    [GeneratedRegex(@"\{(\w+)(?:[,:][^}]*)?\}")]
    private static partial Regex Placeholder();

    private sealed record LoggerMessageInfo(string Where, string Namespace, int EventId, string? EventName, LogLevel Level, string Template);

    private sealed record DocumentedArea(string Name, string Namespace, int First, int Last);
}
