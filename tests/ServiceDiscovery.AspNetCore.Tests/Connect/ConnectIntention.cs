// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Text;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// The L4 intention <c>source → destination</c> on a <see cref="ConsulTarget"/>, written as an operator writes it
/// (<c>PUT /v1/connect/intentions/exact?source=..&amp;destination=..</c>) and deleted when disposed, so a shared real
/// Consul keeps no leftover.
/// </summary>
internal sealed class ConnectIntention(ConsulTarget consul, string source, string destination) : IAsyncDisposable
{
    private readonly HttpClient _http = consul.CreateHttpClient();
    private readonly Uri _exact = new($"v1/connect/intentions/exact?source={Uri.EscapeDataString(source)}&destination={Uri.EscapeDataString(destination)}", UriKind.Relative);

    /// <summary>The reason Consul's authorize gives a caller this intention decides, when its action is <paramref name="action"/> (<c>DENY</c> or <c>ALLOW</c>).</summary>
    public string Reason(string action) => $"Matched L4 intention: default/{source} => default/{destination} (Precedence: 9, Action: {action})";

    /// <summary>Writes the intention with <paramref name="action"/> (<c>allow</c> or <c>deny</c>).</summary>
    public async Task WriteAsync(string action)
    {
        using var body = new StringContent($$"""{"Action":"{{action}}"}""", Encoding.UTF8, "application/json");
        using var response = await _http.PutAsync(_exact, body, TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"PUT {_exact} {action}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
    }

    /// <summary>
    /// Writes <paramref name="action"/>, then makes calls until <paramref name="call"/> reports the outcome wanted (it
    /// fails the test itself on any other); the time from the write to that call's end.
    /// </summary>
    public async Task<TimeSpan> WriteAndWaitAsync(string action, Func<Task<bool>> call, TimeSpan deadline, string what)
    {
        var written = Stopwatch.StartNew();
        await WriteAsync(action);
        await Eventually.WaitAsync(call, deadline, what);
        return written.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        using (await _http.DeleteAsync(_exact, CancellationToken.None))
        {
        }

        _http.Dispose();
    }
}
