// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;
using System.Net.Sockets;

namespace ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

/// <summary>
/// A loopback port that refuses connections until <see cref="Start"/>, then relays every connection to a target: a
/// Consul that is unreachable and later comes back, for the test agent and a real Consul alike.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly Uri _target;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _tasks = [];
    private TcpListener? _listener;

    public TcpRelay(Uri target)
    {
        _target = target;
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public int Port { get; }

    /// <summary>An address on the relay's port (refused until <see cref="Start"/>).</summary>
    public Uri Address => new($"{_target.Scheme}://127.0.0.1:{Port}/");

    public void Start()
    {
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        lock (_tasks)
        {
            _tasks.Add(AcceptAsync(_listener, _stopping.Token));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener?.Stop();
        Task[] tasks;
        lock (_tasks)
        {
            tasks = [.. _tasks];
        }

        await Task.WhenAll(tasks).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stopping);
            lock (_tasks)
            {
                _tasks.Add(RelayAsync(client, stopping));
            }
        }
    }

    private async Task RelayAsync(TcpClient client, CancellationToken stopping)
    {
        using (client)
        using (var upstream = new TcpClient())
        {
            await upstream.ConnectAsync(_target.Host, _target.Port, stopping);
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var up = client.GetStream().CopyToAsync(upstream.GetStream(), cut.Token);
            var down = upstream.GetStream().CopyToAsync(client.GetStream(), cut.Token);
            await Task.WhenAny(up, down);
            await cut.CancelAsync();
            await Task.WhenAll(up, down).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
