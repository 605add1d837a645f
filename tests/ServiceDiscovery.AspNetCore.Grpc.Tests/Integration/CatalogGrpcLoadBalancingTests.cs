// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using CatalogGrpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using ServiceDiscovery.AspNetCore.Grpc.Tests.TestInfrastructure;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Grpc.Tests.Integration;

/// <summary>
/// <c>samples/CatalogGrpc.Api</c> instances behind a <c>consul://</c> channel: calls spread round-robin, a graceful stop
/// under load loses no call, and a new instance gets calls as soon as Consul's gRPC check passes, without a new channel.
/// </summary>
public sealed class CatalogGrpcLoadBalancingTests : CatalogGrpcFleetTests
{
    [Fact]
    public async Task UnaryCalls_ThreeInstances_2000CallsSpreadOverAllThree()
    {
        var instances = new[] { await Fleet.StartAsync(), await Fleet.StartAsync(), await Fleet.StartAsync() };
        using var channel = Fleet.Channel(ChannelCredentials.Insecure);
        var client = new Catalog.CatalogClient(channel);
        await channel.ConnectAsync(Ct);

        var answers = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < 2000; i++)
        {
            var item = await client.GetItemAsync(new GetItemRequest { Id = i }, cancellationToken: Ct);
            answers[item.InstanceId] = answers.GetValueOrDefault(item.InstanceId) + 1;
        }

        TestContext.Current.TestOutputHelper?.WriteLine(string.Join(", ", answers.Select(a => $"{a.Key}: {a.Value}")));
        Assert.Equal(instances.Select(i => i.Id).Order(StringComparer.Ordinal), answers.Keys.Order(StringComparer.Ordinal));
        Assert.All(answers.Values, count => Assert.InRange(count, 500, 840)); // 25 % to 42 % of 2,000
    }

    [Fact]
    public async Task GracefulStop_UnderStreamingAndUnaryLoad_NoCallFails_AndAFourthInstanceGetsCallsOnceItPasses()
    {
        var instances = new List<CatalogInstance> { await Fleet.StartAsync(), await Fleet.StartAsync(), await Fleet.StartAsync() };
        using var channel = Fleet.Channel(ChannelCredentials.Insecure);
        var client = new Catalog.CatalogClient(channel);
        await channel.ConnectAsync(Ct);
        var load = new CallLoad(client, unaryLoops: 4, streamingLoops: 4);
        await Eventually.WaitAsync(() => instances.All(i => load.Answers.ContainsKey(i.Id)) && load.StreamsCompleted >= 8, Deadline, "the load reaches all three instances");

        // Stop one instance the way SIGTERM does while calls and streams are in flight on it.
        var stopped = instances[0];
        await stopped.StopAsync();
        var answeredByStopped = load.Answers[stopped.Id];
        var totalAtStop = load.Total;
        await Eventually.WaitAsync(() => load.Total > totalAtStop + 500, Deadline, "calls go on after the stop");
        Assert.Equal(answeredByStopped, load.Answers[stopped.Id]);

        // A fourth instance: calls reach it once its check passes, through the same channel.
        var fourth = await Fleet.StartAsync(waitUntilPassing: false);
        await Eventually.WaitAsync(async () => (await Consul.GetStateAsync(Ct)).CheckStatus(fourth.Id) == "passing", Deadline, "the fourth instance's gRPC check passes");
        var passingAt = Stopwatch.GetTimestamp();
        await Eventually.WaitAsync(() => load.Answers.ContainsKey(fourth.Id), Deadline, "the fourth instance gets calls");
        var firstCall = load.FirstAnswerAt[fourth.Id];
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"first call on the fourth instance {Stopwatch.GetElapsedTime(passingAt, firstCall).TotalMilliseconds:0} ms after its check was seen passing (negative: before the test saw it)"));

        await load.StopAsync();
        Assert.Empty(load.Failures);
        Assert.True(load.Answers[fourth.Id] > 0);
    }

    [Fact]
    public async Task AddGrpcClient_ConsulAddress_TheFactoryChannelFindsTheResolverAndBalances()
    {
        var instances = new[] { await Fleet.StartAsync(), await Fleet.StartAsync() };
        var services = Fleet.ClientServices();
        services.AddGrpcClient<Catalog.CatalogClient>(o => o.Address = new Uri($"consul://{Fleet.ServiceName}"))
            .ConfigureChannel(o => o.Credentials = ChannelCredentials.Insecure);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<Catalog.CatalogClient>();

        // Calls until both instances answered (the second subchannel may still be connecting for the first few).
        var answered = new HashSet<string>(StringComparer.Ordinal);
        await Eventually.WaitAsync(
            async () =>
            {
                answered.Add((await client.GetItemAsync(new GetItemRequest { Id = 1 }, cancellationToken: Ct)).InstanceId);
                return answered.Count == 2;
            },
            Deadline,
            "both instances answer calls of the factory's client");

        Assert.Equal(instances.Select(i => i.Id).Order(StringComparer.Ordinal), answered.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RefusingInstance_ListedAsPassing_SkippedBySubchannelStateWithoutAFailedCall()
    {
        var live = await Fleet.StartAsync();
        using (var http = Consul.CreateHttpClient())
        {
            // An instance Consul lists as passing (no check) whose port refuses connections.
            var port = LoopbackPort.Closed();
            var body = new Dictionary<string, object>
            {
                ["ID"] = Fleet.ServiceName + "-refusing",
                ["Name"] = Fleet.ServiceName,
                ["Address"] = "127.0.0.1",
                ["Port"] = port,
                ["Meta"] = new Dictionary<string, string> { ["scheme"] = "h2c" },
            };
            using var content = JsonContent.Create(body);
            using var response = await http.PutAsync("/v1/agent/service/register", content, Ct);
            response.EnsureSuccessStatusCode();
        }

        try
        {
            using var channel = Fleet.Channel(ChannelCredentials.Insecure);
            var client = new Catalog.CatalogClient(channel);
            for (var i = 0; i < 200; i++)
            {
                var item = await client.GetItemAsync(new GetItemRequest { Id = i }, new CallOptions(cancellationToken: Ct).WithWaitForReady(false));
                Assert.Equal(live.Id, item.InstanceId);
            }
        }
        finally
        {
            using var http = Consul.CreateHttpClient();
            using var response = await http.PutAsync($"/v1/agent/service/deregister/{Fleet.ServiceName}-refusing", null, Ct);
        }
    }
}
