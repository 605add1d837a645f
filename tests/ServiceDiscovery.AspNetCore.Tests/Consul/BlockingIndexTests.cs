// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Consul;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

public sealed class BlockingIndexTests
{
    [Theory]
    [InlineData(0UL, 0UL, 1UL)]     // first call, a server that (wrongly) sent 0: clamp so the next call blocks
    [InlineData(0UL, 42UL, 42UL)]   // first call
    [InlineData(42UL, 42UL, 42UL)]  // wait timed out with no change: block again on the same index
    [InlineData(42UL, 43UL, 43UL)]  // a change
    [InlineData(42UL, 7UL, 0UL)]    // index went backwards (restart / snapshot restore): reset
    [InlineData(42UL, 0UL, 0UL)]    // backwards to 0 is a reset too, not a clamp to 1
    public void Next_FollowsConsulIndexRules(ulong requested, ulong returned, ulong expected)
        => Assert.Equal(expected, BlockingIndex.Next(requested, returned));

    [Fact]
    public void QueryResult_NextIndex_UsesTheSameRules()
    {
        var result = new QueryResult<int>(0, LastIndex: 5, KnownLeader: true, LastContact: TimeSpan.Zero);

        Assert.Equal(0UL, result.NextIndex(requestedIndex: 9));
        Assert.Equal(5UL, result.NextIndex(requestedIndex: 5));
    }
}
