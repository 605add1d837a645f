// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Configuration;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Benchmarks;

/// <summary>
/// Requests per minute per prefix while nothing changes, counted in the test agent's request log over a window with
/// a shortened <c>WaitTime</c>, then scaled to the default 5-minute wait (one blocking query per wait per prefix).
/// </summary>
internal static class KeyValueIdleMeasurement
{
    public static async Task RunAsync(TimeSpan wait, TimeSpan window)
    {
        await using var agent = await ConsulTestAgent.StartAsync().ConfigureAwait(false);
        using var configuration = (ConfigurationRoot)new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Consul:Address"] = agent.Address.ToString() })
            .AddConsulKeyValue(o => { o.ApplicationName = "orders"; o.Environment = "Production"; o.WaitTime = wait; })
            .Build();
        agent.ClearRequests();
        await Task.Delay(window).ConfigureAwait(false);
        var requests = agent.Requests.Where(r => r.Path.StartsWith("/v1/kv/", StringComparison.Ordinal)).ToList();
        foreach (var prefix in requests.GroupBy(r => r.Path).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var perMinute = prefix.Count() / window.TotalMinutes;
            var blocking = prefix.Count(r => r.Query.Contains("index=", StringComparison.Ordinal));
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{prefix.Key}: {prefix.Count()} requests in {window.TotalSeconds:F0} s with wait {wait.TotalSeconds:F0} s ({blocking} blocking, all GET: {prefix.All(r => r.Method == "GET")}) = {perMinute:F2}/min; scaled to the default 5 min wait: {perMinute * wait / TimeSpan.FromMinutes(5):F3}/min"));
        }
    }
}
