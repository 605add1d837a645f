// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using ServiceDiscovery.AspNetCore.Http;
using ServiceDiscovery.AspNetCore.Http.LoadBalancing;

namespace ServiceDiscovery.AspNetCore.Tests.Http;

public sealed class LoadBalancerTests
{
    private static InstanceHealthTracker Tracker() => new(new FakeTimeProvider(), new StaticOptionsMonitor(new ConsulOptions()));

    [Fact]
    public void RoundRobin_ThreeInstances_EachGetsAThird()
    {
        var balancer = new RoundRobinLoadBalancer();
        var list = Instances.Named("catalog", 3);

        var counts = Enumerable.Range(0, 300).Select(_ => balancer.Pick(list).Id).CountBy(id => id).ToDictionary();

        Assert.Equal(3, counts.Count);
        Assert.All(counts.Values, c => Assert.Equal(100, c));
    }

    [Fact]
    public void RoundRobin_TwoServices_KeepTheirOwnTurn()
    {
        var balancer = new RoundRobinLoadBalancer();
        var catalog = Instances.Named("catalog", 2);
        var orders = Instances.Named("orders", 2);

        Assert.Equal("catalog-1", balancer.Pick(catalog).Id);
        Assert.Equal("orders-1", balancer.Pick(orders).Id);
        Assert.Equal("catalog-2", balancer.Pick(catalog).Id);
        Assert.Equal("orders-2", balancer.Pick(orders).Id);
    }

    [Fact]
    public void Random_ReachesEveryInstanceRoughlyEvenly()
    {
        var balancer = new RandomLoadBalancer(RandomSource.Shared);
        var list = Instances.Named("catalog", 4);

        var counts = Enumerable.Range(0, 8000).Select(_ => balancer.Pick(list).Id).CountBy(id => id).ToDictionary();

        Assert.Equal(4, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 1600, 2400)); // 2000 expected; > 10 sigma of slack
    }

    [Fact]
    public void Weighted_PicksInProportionToConsulWeights()
    {
        var balancer = new WeightedLoadBalancer(RandomSource.Shared);
        var list = Instances.Of(Instances.One("light", weight: 1), Instances.One("heavy", weight: 3), Instances.One("off", weight: 0));

        var counts = Enumerable.Range(0, 20000).Select(_ => balancer.Pick(list).Id).CountBy(id => id).ToDictionary();

        Assert.False(counts.ContainsKey("off"));
        Assert.InRange(counts["heavy"] / 20000.0, 0.72, 0.78); // 0.75 expected
    }

    [Fact]
    public void Weighted_WarningInstanceUsesItsWarningWeight()
    {
        var balancer = new WeightedLoadBalancer(RandomSource.Shared);
        var warning = new ConsulServiceInstance("warn", "catalog", "127.0.0.1", 1, checkStatus: ConsulCheckStatus.Warning, passingWeight: 10, warningWeight: 0);
        var list = Instances.Of(warning, Instances.One("ok", weight: 1));

        Assert.All(Enumerable.Range(0, 200), _ => Assert.Equal("ok", balancer.Pick(list).Id));
    }

    [Fact]
    public void PowerOfTwoChoices_PrefersTheInstanceWithFewerRequestsInFlight()
    {
        var tracker = Tracker();
        var balancer = new PowerOfTwoChoicesLoadBalancer(tracker, RandomSource.Shared);
        var busy = Instances.One("busy");
        var idle = Instances.One("idle");
        for (var i = 0; i < 5; i++)
        {
            tracker.RequestStarted(busy);
        }

        var list = Instances.Of(busy, idle);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal("idle", balancer.Pick(list).Id));
    }

    [Fact]
    public void PowerOfTwoChoices_SkewedLoad_SendsLessToTheSlowInstance()
    {
        var tracker = Tracker();
        var balancer = new PowerOfTwoChoicesLoadBalancer(tracker, RandomSource.Shared);
        var list = Instances.Named("catalog", 4);
        var slow = list[0];
        var inFlight = new Queue<ConsulServiceInstance>();

        // A simulated run: fast instances finish each request before the next pick, the slow one holds on to its
        // requests for 50 picks. Power of two must route around it.
        var picks = new Dictionary<string, int>();
        for (var step = 0; step < 2000; step++)
        {
            var pick = balancer.Pick(list);
            picks[pick.Id] = picks.GetValueOrDefault(pick.Id) + 1;
            tracker.RequestStarted(pick);
            if (pick == slow)
            {
                inFlight.Enqueue(pick);
                if (inFlight.Count > 50)
                {
                    tracker.RequestEnded(inFlight.Dequeue());
                }
            }
            else
            {
                tracker.RequestEnded(pick);
            }
        }

        Assert.True(picks.GetValueOrDefault(slow.Id) < 2000 / 4 / 4, $"slow instance got {picks.GetValueOrDefault(slow.Id)} of 2000");
    }

    [Theory]
    [InlineData(ConsulLoadBalancingPolicy.Random)]
    [InlineData(ConsulLoadBalancingPolicy.PowerOfTwoChoices)]
    [InlineData(ConsulLoadBalancingPolicy.Weighted)]
    public void SeededSource_GivesAReproduciblePickSequence(ConsulLoadBalancingPolicy policy)
    {
        var list = Instances.Of(Instances.One("a", weight: 1), Instances.One("b", weight: 2), Instances.One("c", weight: 3), Instances.One("d", weight: 4));
        string[] Picks(int seed)
        {
            // Different loads, so that both of power of two's draws decide its pick.
            var tracker = Tracker();
            for (var i = 0; i < list.Count; i++)
            {
                for (var inFlight = 0; inFlight < i; inFlight++)
                {
                    tracker.RequestStarted(list[i]);
                }
            }

            var balancer = LoadBalancerFactory.Create(policy, tracker, new Random(seed).NextDouble);
            return [.. Enumerable.Range(0, 64).Select(_ => balancer.Pick(list).Id)];
        }

        var picks = Picks(42);

        Assert.Equal(picks, Picks(42));
        Assert.NotEqual(picks, Picks(43));
        Assert.True(picks.Distinct().Count() >= 3, string.Join(",", picks));
    }

    [Fact]
    public void RandomSource_AtItsBounds_PicksTheFirstAndTheLast()
    {
        var list = Instances.Named("catalog", 3);

        Assert.Equal("catalog-1", new RandomLoadBalancer(() => 0.0).Pick(list).Id);
        Assert.Equal("catalog-3", new RandomLoadBalancer(() => 0.999_999).Pick(list).Id);
        Assert.Equal("catalog-3", new RandomLoadBalancer(() => 1.0).Pick(list).Id);
    }

    [Fact]
    public void Factory_UndefinedPolicy_NamesThePoliciesItKnows()
    {
        // Settings are validated at start-up naming the key under the bound section; the factory only guards its argument.
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => LoadBalancerFactory.Create((ConsulLoadBalancingPolicy)42, Tracker()));
        Assert.Equal("policy", ex.ParamName);
        Assert.Contains("RoundRobin, Random, PowerOfTwoChoices or Weighted", ex.Message, StringComparison.Ordinal);
    }

    internal sealed class StaticOptionsMonitor(ConsulOptions value) : IOptionsMonitor<ConsulOptions>
    {
        public ConsulOptions CurrentValue => value;

        public ConsulOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConsulOptions, string?> listener) => null;
    }
}
