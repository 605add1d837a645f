// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Runtime.InteropServices;
using DevAgent;
using Microsoft.AspNetCore.Builder;
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
try
{
    (options, uiPort, nodes) = DevAgentArguments.Parse(args);
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

// One agent, or a cluster whose first agent (the server) is the one to give CONSUL_HTTP_ADDR.
ConsulTestCluster? started;
ConsulTestAgent? startedSingle;
try
{
    started = nodes > 1 ? await ConsulTestCluster.StartAsync(nodes, options) : null;
    startedSingle = started is null ? await ConsulTestAgent.StartAsync(options) : null;
}
catch (OptionsValidationException ex)
{
    // A rules file with a syntax error names its line and column here.
    Console.Error.WriteLine(string.Join(Environment.NewLine, ex.Failures));
    return 2;
}

await using var cluster = started;
await using var single = startedSingle;
var agent = cluster?.Leader ?? single!;
Console.WriteLine($"Consul test agent ready at {agent.Address} (datacenter {options.Datacenter}, ACLs {(options.Acl.Enabled ? "on" : "off")}).");
if (cluster is not null)
{
    options.NodeName = agent.NodeName;
    Console.WriteLine($"Cluster of {nodes} agents sharing one catalog; give CONSUL_HTTP_ADDR the first:");
    foreach (var member in cluster.Agents)
    {
        Console.WriteLine($"  {member.NodeName}  {member.Address}");
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
