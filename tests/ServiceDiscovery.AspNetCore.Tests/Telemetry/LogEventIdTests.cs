// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Reflection;
using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Tests.Telemetry;

/// <summary>Event ids are what log queries and alerts filter on: each one names a single event of the library.</summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void EveryLoggerMessage_HasItsOwnEventIdAndName()
    {
        var messages = typeof(ConsulOptions).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(p => p.Attribute is not null)
            .Select(p => (Where: $"{p.Method.DeclaringType!.FullName}.{p.Method.Name}", p.Attribute!.EventId, p.Attribute.EventName))
            .ToList();

        Assert.True(messages.Count > 50, $"Found only {messages.Count} [LoggerMessage] methods; the scan is broken.");
        var clashes = messages.GroupBy(m => m.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Where))}")
            .ToList();
        Assert.True(clashes.Count == 0, "Event ids used twice:\n" + string.Join("\n", clashes));
        var names = messages.Where(m => m.EventName is not null).GroupBy(m => m.EventName).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(names.Count == 0, "Event names used twice: " + string.Join(", ", names));
    }
}
