// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Configuration;

/// <summary>
/// Writes KV entries the way an operator would (<c>consul kv put</c>), under a root of the test's own: <c>config</c> on a
/// private test agent, a unique root on a shared real Consul; deletes that root when disposed.
/// </summary>
internal sealed class KeyValueStore : IDisposable
{
    private readonly HttpClient _http;

    public KeyValueStore(ConsulTarget consul)
    {
        _http = consul.CreateHttpClient();
        Root = consul.IsRealConsul ? "config-test-" + Guid.NewGuid().ToString("N")[..8] : "config";
    }

    public string Root { get; }

    public Task PutAsync(string key, string value) => PutAsync(key, Encoding.UTF8.GetBytes(value));

    public async Task PutAsync(string key, byte[] value)
    {
        using var content = new ByteArrayContent(value);
        using var response = await _http.PutAsync(new Uri($"v1/kv/{Root}/{key}", UriKind.Relative), content, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public async Task DeleteAsync(string key, bool recurse = false)
    {
        using var response = await _http.DeleteAsync(new Uri($"v1/kv/{Root}/{key}{(recurse ? "?recurse" : "")}", UriKind.Relative), TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
    }

    public void Dispose()
    {
        // Best effort on a real Consul; the test agent is discarded anyway.
#pragma warning disable VSTHRD002
        _http.DeleteAsync(new Uri($"v1/kv/{Root}/?recurse", UriKind.Relative)).ContinueWith(static t => t.Exception, TaskScheduler.Default).Wait();
#pragma warning restore VSTHRD002
        _http.Dispose();
    }
}
