// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDiscovery.AspNetCore;

// Usage: PauseProbe <election> (the Consul address from Consul__Address). Prints "leads <fencing token>" when it
// becomes leader; answers each "read" line on stdin with "read leader=<bool> cancelled=<bool> token=<n>", judged at
// that moment; stops at the end of stdin.
var election = args.Length == 1 ? args[0] : throw new ArgumentException("Usage: PauseProbe <election name>");
var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
builder.Configuration.AddEnvironmentVariables();
builder.Services.AddConsulLeaderElection(election, o => (o.SessionTtl, o.LockDelay) = (TimeSpan.FromSeconds(10), TimeSpan.Zero));
using var host = builder.Build();
var leadership = host.Services.GetRequiredKeyedService<IConsulLeaderElection>(election);
leadership.LeadershipChanged += (_, e) =>
{
    if (e.IsLeader)
    {
        Console.Out.WriteLine("leads " + leadership.FencingToken.ToString(CultureInfo.InvariantCulture));
    }
};
await host.StartAsync();
Console.Out.WriteLine("started");
while (await Console.In.ReadLineAsync() is { } line)
{
    if (line == "read")
    {
        // One read of each, in this order: IsLeader first, as a paused leader's code would check it.
        var isLeader = leadership.IsLeader;
        var cancelled = leadership.LeadershipToken.IsCancellationRequested;
        var token = leadership.FencingToken;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read leader={isLeader} cancelled={cancelled} token={token}"));
    }
}

await host.StopAsync();
