// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using ServiceDiscovery.AspNetCore.Connect;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// An intention changed to deny stops an open, pooled connection too: real Kestrel "catalog" (<see cref="ConnectServer"/>)
/// against the agent's CA and intentions (<see cref="ConsulTarget"/>: the test agent, or <c>CONSUL_HTTP_ADDR</c>), and
/// one HttpClient of "orders" whose requests all travel on one keep-alive connection (HTTP/1.1, or HTTP/2 streams).
/// </summary>
public sealed class ConnectOpenConnectionDenyTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("1.1")]
    [InlineData("2.0")]
    public async Task DenyWrittenThroughTheAgent_RefusesTheNextRequestsOnTheSameConnection_AndClosesIt_AllowServesANewOne(string version)
    {
        await using var consul = await ConsulTarget.StartAsync();
        var catalogName = consul.ServiceName("catalog");
        var (orders, roots) = await ConnectAgentTests.CallerAsync(consul, "orders");
        using var ordersCertificate = orders;
        var closed = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        var appCalls = 0;
        var served = 0;
        var withoutState = 0;
        await using var catalog = await ConnectServer.StartAsync(api: null, roots, cacheDuration: null, Settings(consul, catalogName), app => app.MapGet("/connection", (HttpContext context) =>
        {
            // The connection's id; the test learns when Kestrel closes it.
            Interlocked.Increment(ref appCalls);
            if (ConnectCallerConnection.Of(context) is null)
            {
                Interlocked.Increment(ref withoutState);   // the handshake setup did not attach the connection's state
            }

            var id = context.Connection.Id;
            if (closed.TryAdd(id, false))
            {
                context.Features.GetRequiredFeature<IConnectionLifetimeFeature>().ConnectionClosed.Register(() => closed[id] = true);
            }

            return id;
        }));
        await using var intention = new ConnectIntention(consul, "orders", catalogName);
        using var client = ConnectServer.Caller(ordersCertificate, roots);
        var requestVersion = Version.Parse(version);

        var (status, first) = await GetAsync(client, catalog, requestVersion);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, catalog, requestVersion)).Status);
        Assert.Single(closed);   // one pooled connection so far

        // Deny: requests keep going out on the pooled connection until one is refused; until then all are served on it.
        string refusal = string.Empty;
        var toRefused = await intention.WriteAndWaitAsync("deny", async () =>
        {
            var (answer, body) = await GetAsync(client, catalog, requestVersion);
            Assert.True(answer is HttpStatusCode.OK or HttpStatusCode.Forbidden, $"{(int)answer} {body}");
            if (answer == HttpStatusCode.OK)
            {
                Assert.Equal(first, body);   // still the same connection
                return false;
            }

            refusal = body;
            return true;
        }, Deadline, "a request on the open connection is refused after the deny");

        Assert.Contains("/svc/orders", refusal, StringComparison.Ordinal);
        Assert.Contains($"'{catalogName}'", refusal, StringComparison.Ordinal);
        Assert.Contains(intention.Reason("DENY"), refusal, StringComparison.Ordinal);
        await Eventually.WaitAsync(() => closed[first], Deadline, "catalog closes the refused connection");
        Assert.Contains(catalog.Logged("ConnectRequestRefused"), r => r.Message.Contains(intention.Reason("DENY"), StringComparison.Ordinal));

        // Allow again: a new connection is served.
        var toServed = await intention.WriteAndWaitAsync("allow", async () =>
        {
            try
            {
                var (answer, body) = await GetAsync(client, catalog, requestVersion);
                Assert.True(answer is HttpStatusCode.OK or HttpStatusCode.Forbidden, $"{(int)answer} {body}");
                return answer == HttpStatusCode.OK && body != first;
            }
            catch (HttpRequestException)
            {
                return false;   // a new connection refused at its handshake while the deny is still cached
            }
        }, Deadline, "a new connection is served after the allow");
        Assert.Equal(served, Volatile.Read(ref appCalls));   // every answer but the 200s came before the app
        Assert.Equal(0, Volatile.Read(ref withoutState));
        TestContext.Current.TestOutputHelper?.WriteLine($"HTTP/{version}: deny refused a request on the open connection after {toRefused.TotalMilliseconds:0} ms, allow served a new one after {toServed.TotalMilliseconds:0} ms");

        async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, ConnectServer server, Version version)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.Https, "/connection")) { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await client.SendAsync(request, Ct);
            served += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
            return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
        }
    }

    private static Dictionary<string, string?> Settings(ConsulTarget target, string serviceName) => new()
    {
        ["Consul:Address"] = target.Address.ToString(),
        ["Consul:Token"] = target.Token,
        ["Consul:Service:Name"] = serviceName,
    };
}
