// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Tests.Discovery;

/// <summary>
/// Datacenter mode under churn (issue #16): 50 names fed by the two datacenter queries while bursts of random
/// registrations (with or without a check), deregistrations and check flips go through the agent API. After each
/// burst, every name's cached instances must converge to Consul's own <c>?passing</c> answer within a deadline.
/// Names 0–39 register with a check, names 40–49 without: an instance without checks added to a name whose other
/// instances have checks is a known limit of the mode (docs/scale.md), which a random mix finds at once.
/// </summary>
public sealed class DatacenterChurnTests : DiscoveryAgentTestBase
{
    private const int Names = 50;
    private const int Bursts = 5;
    private const int ChangesPerBurst = 20;
    private const int FirstWithoutChecks = 40;

    [Theory]
    [InlineData(16)]
    [InlineData(1216)]
    public async Task RandomChurn_EveryNameConvergesToConsulsAnswerAfterEachBurst(int seed)
    {
        var random = new Random(seed);
        var discovery = BuildDiscovery(o =>
        {
            o.Discovery.WatchMode = ConsulWatchMode.Datacenter;
            o.Discovery.RetryDelay = TimeSpan.FromMilliseconds(50);
            o.Discovery.MaxRetryDelay = TimeSpan.FromMilliseconds(400);
            o.Discovery.MinimumQueryInterval = TimeSpan.FromMilliseconds(100);

            // Compare with Consul's ?passing answer as it is: no grace, no panic mode.
            o.Discovery.VoidGracePeriod = TimeSpan.Zero;
            o.Discovery.PanicThreshold = 0;
        });

        // id → (name, check status or null for none)
        var live = new Dictionary<string, (string Name, string? Status)>(StringComparer.Ordinal);
        var next = 0;
        for (var n = 0; n < Names; n++)
        {
            await RegisterAsync(live, $"churn{n}-{next++}", $"churn{n}", n < FirstWithoutChecks ? "passing" : null);
            await discovery.GetInstancesAsync(Registrar.Name($"churn{n}"), TestContext.Current.CancellationToken);
        }

        await ConvergedAsync(discovery, "after the first registrations");
        for (var burst = 1; burst <= Bursts; burst++)
        {
            var log = new List<string>();
            for (var change = 0; change < ChangesPerBurst; change++)
            {
                var ids = live.Keys.Order(StringComparer.Ordinal).ToArray();
                switch (random.Next(3))
                {
                    case 0:
                        var n = random.Next(Names);
                        var name = $"churn{n}";
                        var status = n >= FirstWithoutChecks ? null : random.Next(3) == 0 ? "critical" : "passing";
                        var id = $"{name}-{next++}";
                        await RegisterAsync(live, id, name, status);
                        log.Add($"+{id}({status ?? "no check"})");
                        break;
                    case 1 when ids.Length > 0:
                        var gone = ids[random.Next(ids.Length)];
                        await Registrar.DeregisterAsync(gone);
                        live.Remove(gone);
                        log.Add($"-{gone}");
                        break;
                    default:
                        var withCheck = ids.Where(i => live[i].Status is not null).ToArray();
                        if (withCheck.Length == 0)
                        {
                            break;
                        }

                        var flipped = withCheck[random.Next(withCheck.Length)];
                        var to = live[flipped].Status == "passing" ? "critical" : "passing";
                        await Registrar.SetStatusAsync(flipped, to);
                        live[flipped] = (live[flipped].Name, to);
                        log.Add($"~{flipped}({to})");
                        break;
                }
            }

            await ConvergedAsync(discovery, $"after burst {burst} (seed {seed}): {string.Join(' ', log)}");
        }
    }

    private async Task RegisterAsync(Dictionary<string, (string Name, string? Status)> live, string id, string name, string? status)
    {
        await Registrar.RegisterAsync(id, name: name, status: status);
        live[id] = (name, status);
    }

    /// <summary>Waits until every name's cached ids equal Consul's own passing ids (read once the burst is over).</summary>
    private async Task ConvergedAsync(IConsulServiceDiscovery discovery, string when)
    {
        for (var n = 0; n < Names; n++)
        {
            var name = $"churn{n}";
            var expected = await Registrar.PassingIdsAsync(name);
            var cached = await DiscoveryEventually.InstancesAsync(
                discovery, Registrar.Name(name), i => !i.IsStale && i.Select(x => x.Id).ToHashSet(StringComparer.Ordinal).SetEquals(expected));
            Assert.True(cached.Select(x => x.Id).ToHashSet(StringComparer.Ordinal).SetEquals(expected), $"{name} {when}");
        }
    }
}
