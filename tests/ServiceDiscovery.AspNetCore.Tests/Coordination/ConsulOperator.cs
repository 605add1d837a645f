// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>
/// Someone else at the test's Consul (an operator with the CLI, another program): plain HTTP calls, none through the
/// package, so a test can take a held key away or fill a semaphore without the code under test taking part.
/// </summary>
internal sealed class ConsulOperator(ConsulTarget consul) : IDisposable
{
    private readonly HttpClient _http = consul.CreateHttpClient();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The key as Consul stores it, or <see langword="null"/> when it does not exist.</summary>
    public async Task<KeyEntry?> GetAsync(string key)
    {
        using var response = await _http.GetAsync("v1/kv/" + key, Ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var entries = await response.Content.ReadFromJsonAsync<KeyEntry[]>(Ct);
        return Assert.Single(entries!);
    }

    /// <summary><c>DELETE /v1/kv/{key}</c>.</summary>
    public Task DeleteAsync(string key) => ExpectTrueAsync(_http.DeleteAsync("v1/kv/" + key, Ct), "DELETE " + key);

    /// <summary><c>PUT ?release=</c> with the holder's session, as <c>consul kv put -release -session=…</c> does.</summary>
    public Task ReleaseAsync(string key, string session) => PutAsync(key + "?release=" + session, []);

    /// <summary><c>PUT ?acquire=</c>.</summary>
    public Task AcquireAsync(string key, string session) => PutAsync(key + "?acquire=" + session, []);

    /// <summary>A check-and-set write of <paramref name="json"/>; <paramref name="modifyIndex"/> 0 creates the key.</summary>
    public Task PutCasAsync(string key, JsonNode json, ulong modifyIndex) => PutAsync($"{key}?cas={modifyIndex}", Encoding.UTF8.GetBytes(json.ToJsonString()));

    /// <summary>A session with Consul's defaults: no TTL (it lives until destroyed), tied to the node's health.</summary>
    public async Task<string> CreateSessionAsync()
    {
        using var response = await _http.PutAsync("v1/session/create", new StringContent("{}"), Ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);
        return body!["ID"]!.GetValue<string>();
    }

    /// <summary><c>PUT /v1/session/destroy/{id}</c>: Consul releases what the session held.</summary>
    public Task DestroySessionAsync(string session) => ExpectTrueAsync(_http.PutAsync("v1/session/destroy/" + session, content: null, Ct), "destroy " + session);

    private Task PutAsync(string keyAndQuery, byte[] body) => ExpectTrueAsync(_http.PutAsync("v1/kv/" + keyAndQuery, new ByteArrayContent(body), Ct), "PUT " + keyAndQuery);

    private static async Task ExpectTrueAsync(Task<HttpResponseMessage> call, string what)
    {
        using var response = await call;
        response.EnsureSuccessStatusCode();
        Assert.True(await response.Content.ReadFromJsonAsync<bool>(Ct), $"Consul refused {what}");
    }

    public void Dispose() => _http.Dispose();

    /// <summary>A KV entry as <c>GET /v1/kv/{key}</c> shows it (the value base64-decoded by the JSON reader).</summary>
    internal sealed record KeyEntry(string Key, string? Session, byte[]? Value, ulong ModifyIndex)
    {
        public JsonNode Json => JsonNode.Parse(Value!)!;
    }
}
