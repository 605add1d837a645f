// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Discovery;
using ServiceDiscovery.AspNetCore.Tests.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>The read of a fed name, alone: one at a time, none lost, failures counted, and when the name is settled.</summary>
public sealed class FedRefreshTests
{
    private readonly FakeConsulHealthApi _client = new();
    private readonly RecordingSink _sink = new();

    private FedRefresh NewRefresh() => new(DiscoveryQuery.Create("catalog", new ConsulOptions()), _client, _sink);

    [Fact]
    public async Task RequestsDuringARead_MakeItReadOnceMore_AndTheNameIsNotSettledUntilThen()
    {
        var refresh = NewRefresh();
        var ct = TestContext.Current.CancellationToken;
        var running = refresh.RefreshAsync(ct);
        var first = await _client.NextRequestAsync();
        Assert.Equal(0UL, first.Options.Index);
        Assert.Null(first.Options.Wait);

        // Two more requests while it runs: both answered at once, folded into one more read.
        Assert.True(await refresh.RefreshAsync(ct));
        Assert.True(await refresh.RefreshAsync(ct));
        Assert.False(refresh.IsSettled);

        first.Respond(5, Entries.Instance("catalog-1"));
        var second = await _client.NextRequestAsync();
        Assert.False(refresh.IsSettled);
        second.Respond(6, Entries.Instance("catalog-1"), Entries.Instance("catalog-2", address: "10.0.0.2"));

        Assert.True(await running);
        Assert.True(refresh.IsSettled);
        Assert.Equal([(5UL, 0, 1), (6UL, 0, 2)], _sink.Answers);
        Assert.Equal(2, _sink.Attempts);
        Assert.Equal(2, _client.RequestCount);
    }

    [Fact]
    public async Task FailedReads_AreCountedAndReported_UntilOneAnswers()
    {
        var refresh = NewRefresh();
        var ct = TestContext.Current.CancellationToken;
        for (var failures = 1; failures <= 2; failures++)
        {
            var failing = refresh.RefreshAsync(ct);
            (await _client.NextRequestAsync()).Fail();
            Assert.False(await failing);
            Assert.Equal(failures, refresh.Failures);
            Assert.False(refresh.IsSettled);
        }

        var answering = refresh.RefreshAsync(ct);
        (await _client.NextRequestAsync()).Respond(9, Entries.Instance("catalog-1"));

        Assert.True(await answering);
        Assert.Equal(0, refresh.Failures);
        Assert.True(refresh.IsSettled);
        Assert.Equal([1, 2], _sink.Failures.Select(f => f.Failures));
        Assert.Equal((9UL, 2, 1), Assert.Single(_sink.Answers));
    }
}
