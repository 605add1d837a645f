// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Tests.Http.Integration;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;
using ServiceDiscovery.Consul.Testing;

namespace ServiceDiscovery.AspNetCore.Tests.Connect;

/// <summary>
/// Both sides of Connect together against <see cref="ConsulTarget"/> (the test agent, or the real Consul named by
/// <c>CONSUL_HTTP_ADDR</c>): two real Kestrel apps, <c>orders</c> calling <c>http://catalog/...</c> through
/// <c>AddConsulLoadBalancing()</c> and <c>catalog</c>, each with <c>AddConsulDiscovery()</c> and <c>AddConsulConnect()</c>,
/// under steady concurrent load while their leaves renew and the CA's root rotates.
/// </summary>
public sealed class ConnectMeshTests
{
    private const int Workers = 4;
    private const string PhaseHeader = "X-Test-Phase";
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <param name="renewals">
    /// True: a two-minute leaf, renewed 12 to 48 s after issue, twice per app before the rotation, which the agent's
    /// hook makes (the test agent only: Consul refuses a LeafCertTTL under an hour). False: Consul's default leaf
    /// lifetime, and the rotation an operator makes, a new private key through <c>PUT /v1/connect/ca/configuration</c>
    /// (any target).
    /// </param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RenewalsAndRootRotationUnderLoad_LoseNoRequest_AndLaterRequestsPresentLeavesOfTheNewRoot(bool renewals)
    {
        var options = new ConsulTestAgentOptions();
        options.Connect.LeafReissueJitter = TimeSpan.FromSeconds(2);
        if (renewals)
        {
            options.Connect.LeafCertTtl = TimeSpan.FromMinutes(2);
        }

        await using var target = await ConsulTarget.StartAsync(options);
        if (renewals)
        {
            target.RequireTestAgent("renewals in test time need a LeafCertTTL under Consul's minimum of an hour");
        }

        var seen = new ConcurrentQueue<SeenCaller>();
        await using var catalog = await MeshApp.StartAsync(target, target.ServiceName("catalog"), app => app.MapGet("/hello", (HttpContext context) =>
        {
            var certificate = context.Connection.ClientCertificate!;
            seen.Enqueue(new SeenCaller(context.Request.Headers[PhaseHeader].ToString(), AuthorityKeyId(certificate), certificate.SerialNumber, context.Connection.Id));
            return "hello";
        }));
        await using var orders = await MeshApp.StartAsync(target, target.ServiceName("orders"), configureServices: s => s.AddHttpClient("catalog").AddConsulLoadBalancing());
        var http = orders.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("catalog");
        var catalogUri = new Uri($"http://{catalog.Name}/hello");

        // Orders finds catalog once catalog's TTL check has passed.
        await Eventually.WaitAsync(async () => await TryGetAsync(http, catalogUri, phase: "warm-up"), Deadline, "orders reaches catalog over mTLS");

        var phase = "before";
        var load = Enumerable.Range(0, Workers).Select(_ => SteadyLoad.Start(http, () => Request(catalogUri, Volatile.Read(ref phase)))).ToList();
        try
        {
            // (a) Leaf renewals of both apps under load.
            if (renewals)
            {
                await Eventually.WaitAsync(() => catalog.Leaves.Count >= 3 && orders.Leaves.Count >= 3, Deadline, "both apps' leaves have been renewed twice");
            }

            // (b) A root rotation under load; then every request made once orders holds a leaf of the new root must
            // reach catalog presenting such a leaf (new connections: the pools of the old leaf take no new request).
            var newRootKeyId = await RotateAsync(target, throughConfiguration: !renewals);
            await Eventually.WaitAsync(() => orders.LeafKeyId == newRootKeyId && catalog.LeafKeyId == newRootKeyId, Deadline, "both apps hold leaves of the new root");
            Volatile.Write(ref phase, "after");
            await Eventually.WaitAsync(() => seen.Count(s => s.Phase == "after") >= 50, Deadline, "requests flow after the rotation");
            foreach (var worker in load)
            {
                await worker.StopAsync();
            }

            var total = load.Sum(l => l.Total);
            var errors = load.SelectMany(l => l.Errors).ToList();
            Assert.True(errors.Count == 0, $"{errors.Count} of {total} requests failed; first: {errors.FirstOrDefault()}\n{catalog.RefusalLog()}\n{orders.RefusalLog()}");
            var after = seen.Where(s => s.Phase == "after").ToList();
            Assert.All(after, s => Assert.Equal(newRootKeyId, s.IssuerKeyId));
            Assert.Contains(seen, s => s.Phase == "before" && s.IssuerKeyId != newRootKeyId);   // the old root's leaves were in use before
            TestContext.Current.SendDiagnosticMessage(
                $"{total} requests, 0 failed; leaves issued: catalog {catalog.Leaves.Count}, orders {orders.Leaves.Count}; connections after the rotation: {after.Select(s => s.ConnectionId).Distinct().Count()}");
        }
        finally
        {
            foreach (var worker in load)
            {
                await worker.DisposeAsync();
            }
        }
    }

    /// <summary>Rotates the CA (a new private key through PUT /v1/connect/ca/configuration, or the test agent's hook); the new active root's key id.</summary>
    private static async Task<string> RotateAsync(ConsulTarget target, bool throughConfiguration)
    {
        using var http = target.CreateHttpClient();
        if (throughConfiguration)
        {
            // Consul rotates when the provider's key changes: keep the rest of the configuration, give it a new key.
            var current = (await http.GetFromJsonAsync<JsonObject>("v1/connect/ca/configuration", Ct))!;
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var config = current["Config"]!.AsObject();
            config["PrivateKey"] = key.ExportECPrivateKeyPem();
            config.Remove("RootCert");
            using var put = await http.PutAsJsonAsync("v1/connect/ca/configuration", new JsonObject { ["Provider"] = current["Provider"]!.DeepClone(), ["Config"] = config.DeepClone() }, Ct);
            put.EnsureSuccessStatusCode();
        }
        else
        {
            target.RequireTestAgent("rotation through the agent's hook").RotateConnectRoot();
        }

        using var roots = await http.GetFromJsonAsync<JsonDocument>("v1/agent/connect/ca/roots", Ct);
        var activeId = roots!.RootElement.GetProperty("ActiveRootID").GetString();
        var active = roots.RootElement.GetProperty("Roots").EnumerateArray().Single(r => r.GetProperty("ID").GetString() == activeId);
        using var certificate = X509Certificate2.CreateFromPem(active.GetProperty("RootCert").GetString());
        return certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifier!;
    }

    private static async Task<bool> TryGetAsync(HttpClient http, Uri uri, string phase)
    {
        try
        {
            using var request = Request(uri, phase);
            using var response = await http.SendAsync(request, Ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>A GET of <paramref name="uri"/> telling catalog which phase of the test it was made in.</summary>
    private static HttpRequestMessage Request(Uri uri, string phase)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Add(PhaseHeader, phase);
        return request;
    }

    private static string AuthorityKeyId(X509Certificate2 certificate) =>
        Convert.ToHexString(certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.Span);

    /// <summary>What catalog saw of one request: the phase the caller was in, and the caller's leaf.</summary>
    private sealed record SeenCaller(string Phase, string IssuerKeyId, string Serial, string ConnectionId);
}
