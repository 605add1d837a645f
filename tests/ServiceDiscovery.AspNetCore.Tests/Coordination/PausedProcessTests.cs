// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Coordination;

/// <summary>
/// A real pause: a leader running in a child process (tests/ServiceDiscovery.AspNetCore.PauseProbe) is stopped with
/// SIGSTOP until another instance leads, then resumed with SIGCONT. Its first read must say it does not lead, with its
/// term's token cancelled, and the new leader's fencing token must be greater. Against the test agent or the real Consul
/// of <c>CONSUL_HTTP_ADDR</c>; Linux and macOS only (signals).
/// </summary>
public sealed class PausedProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private ConsulTarget _consul = null!;
    private IHost? _follower;
    private Process? _probe;

    public async ValueTask InitializeAsync() => _consul = await ConsulTarget.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_probe is { HasExited: false })
        {
            Signal("CONT", _probe.Id);
            _probe.Kill(entireProcessTree: true);
            await _probe.WaitForExitAsync(CancellationToken.None);
        }

        _probe?.Dispose();
        if (_follower is not null)
        {
            await _follower.StopAsync(CancellationToken.None);
            _follower.Dispose();
        }

        await _consul.DisposeAsync();
    }

    [Fact]
    public async Task A_leader_process_stopped_until_another_leads_reports_not_leader_at_its_first_read_after_it_resumes()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "needs SIGSTOP/SIGCONT");
        var election = _consul.ServiceName("paused");
        var probe = StartProbe(election);
        var leads = await ReadLineAsync(probe, l => l.StartsWith("leads ", StringComparison.Ordinal), "the probe leads");
        var pausedToken = ulong.Parse(leads["leads ".Length..], CultureInfo.InvariantCulture);

        _follower = CoordinationHost.Build(_consul, services => services.AddConsulLeaderElection(election, o => (o.SessionTtl, o.LockDelay) = (TimeSpan.FromSeconds(10), TimeSpan.Zero)));
        await _follower.StartAsync(TestContext.Current.CancellationToken);
        var follower = _follower.Services.GetRequiredKeyedService<IConsulLeaderElection>(election);

        // Stopped, the probe renews nothing: Consul invalidates its session and the follower takes over.
        Signal("STOP", probe.Id);
        await follower.WaitForLeadershipAsync(TestContext.Current.CancellationToken).WaitAsync(Deadline, TestContext.Current.CancellationToken);

        // The question waits in the pipe, so the probe answers it among the first things it does once resumed.
        await probe.StandardInput.WriteLineAsync("read".AsMemory(), TestContext.Current.CancellationToken);
        await probe.StandardInput.FlushAsync(TestContext.Current.CancellationToken);
        Signal("CONT", probe.Id);
        var answer = await ReadLineAsync(probe, l => l.StartsWith("read ", StringComparison.Ordinal), "the probe's first read after it resumed");

        Assert.Contains("leader=False", answer, StringComparison.Ordinal);
        Assert.Contains("cancelled=True", answer, StringComparison.Ordinal);
        Assert.True(follower.IsLeader);
        Assert.True(follower.FencingToken > pausedToken, $"the new leader's fencing token {follower.FencingToken} is not above the paused one's {pausedToken}");
    }

    private Process StartProbe(string election)
    {
        var probePath = Path.Combine(AppContext.BaseDirectory.Replace("ServiceDiscovery.AspNetCore.Tests", "ServiceDiscovery.AspNetCore.PauseProbe", StringComparison.Ordinal), "ServiceDiscovery.AspNetCore.PauseProbe.dll");
        Assert.True(File.Exists(probePath), $"the probe was not built at {probePath}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(probePath);
        start.ArgumentList.Add(election);
        start.Environment["Consul__Address"] = _consul.Address.ToString();
        if (_consul.Token is { Length: > 0 } token)
        {
            start.Environment["Consul__Token"] = token;
        }

        _probe = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start the probe");
        return _probe;
    }

    private static async Task<string> ReadLineAsync(Process probe, Func<string, bool> match, string what)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(Deadline);
        while (await probe.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
        {
            if (match(line))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"The probe exited (code {(probe.HasExited ? probe.ExitCode : -1)}) before {what}.");
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", ["-" + signal, pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
