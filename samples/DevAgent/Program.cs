// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.InteropServices;
using DevAgent;
using Microsoft.AspNetCore.Builder;
using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServiceDiscovery.Consul.Testing;

if (args.Contains("--help"))
{
    Console.WriteLine(DevAgentArguments.Usage);
    return 0;
}

ConsulTestAgentOptions options;
int? uiPort;
int nodes;
IReadOnlyList<string> datacenters;
try
{
    (options, uiPort, nodes, datacenters) = DevAgentArguments.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(DevAgentArguments.Usage);
    return 2;
}

using var loggerFactory = LoggerFactory.Create(logging => logging
    .AddSimpleConsole(console => console.SingleLine = true)
    .SetMinimumLevel(LogLevel.Information));
options.LoggerFactory = loggerFactory;

// Ctrl+C (SIGINT) and SIGTERM both end the wait; the agent is then disposed, closing its listener.
using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

// One agent, a cluster whose first agent (the server) is the one to give CONSUL_HTTP_ADDR, or several datacenters.
ConsulTestCluster? cluster;
ConsulTestAgent? startedSingle;
try
{
    cluster = datacenters.Count > 0
        ? await ConsulTestCluster.StartDatacentersAsync(
            [.. datacenters.Select((name, i) => new ConsulTestDatacenterOptions { Name = name, Agents = nodes, WanPosition = new Vector2(10 * i, 0) })], options)
        : nodes > 1 ? await ConsulTestCluster.StartAsync(nodes, options) : null;
    startedSingle = cluster is null ? await ConsulTestAgent.StartAsync(options) : null;
}
catch (OptionsValidationException ex)
{
    // A rules file with a syntax error names its line and column here.
    Console.Error.WriteLine(string.Join(Environment.NewLine, ex.Failures));
    return 2;
}

await using var clusterLifetime = cluster;
await using var single = startedSingle;
var agent = cluster?.Leader ?? single!;
Console.WriteLine($"Consul test agent ready at {agent.Address} (datacenter {cluster?.Datacenter ?? options.Datacenter}, ACLs {(options.Acl.Enabled ? "on" : "off")}).");
if (cluster is not null)
{
    options.NodeName = agent.NodeName;
    options.Datacenter = cluster.Datacenter;
    foreach (var datacenter in cluster.Datacenters)
    {
        Console.WriteLine(cluster.Datacenters.Count > 1
            ? $"Datacenter {datacenter.Datacenter}: {datacenter.Agents.Count} agents (WAN: ?dc={datacenter.Datacenter} from any other); its server first:"
            : $"Cluster of {nodes} agents sharing one catalog; give CONSUL_HTTP_ADDR the first:");
        foreach (var member in datacenter.Agents)
        {
            Console.WriteLine($"  {member.NodeName}  {member.Address}");
        }
    }
}

await using var ui = uiPort is { } port ? await StartUiAsync(agent, options, port) : null;
if (ui is not null)
{
    Console.WriteLine($"UI: {ui.Urls.First()}/ui/");
}

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    Console.WriteLine("Stopping.");
}

return 0;

// Two dev agents on one machine (a developer's and a test run's) must not fail on the page's default port.
static async Task<WebApplication> StartUiAsync(ConsulTestAgent agent, ConsulTestAgentOptions options, int port)
{
    try
    {
        return await DevAgentUi.StartAsync(agent, options, port);
    }
    catch (IOException) when (port == DevAgentArguments.DefaultUiPort)
    {
        Console.WriteLine($"Port {port} is taken; the live page uses a free port instead.");
        return await DevAgentUi.StartAsync(agent, options, 0);
    }
}

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
