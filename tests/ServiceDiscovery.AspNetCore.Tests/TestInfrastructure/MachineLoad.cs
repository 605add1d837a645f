// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

/// <summary>
/// Loads the machine while a test runs: dedicated threads (not thread-pool work) that spin on the CPU, twice as many
/// as there are cores, so the code under test competes for every core as on a busy build machine. Disposing stops them.
/// </summary>
internal sealed class MachineLoad : IDisposable
{
    private readonly Thread[] _threads;
    private volatile bool _stop;

    private MachineLoad(int threads)
    {
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Spin) { IsBackground = true, Name = $"machine-load-{i}" };
            _threads[i].Start();
        }
    }

    /// <summary>Starts two busy threads per core.</summary>
    public static MachineLoad Start() => new(Environment.ProcessorCount * 2);

    public void Dispose()
    {
        _stop = true;
        foreach (var thread in _threads)
        {
            thread.Join();
        }
    }

    private void Spin()
    {
        var x = 0UL;
        while (!_stop)
        {
            x = (x * 6364136223846793005UL) + 1442695040888963407UL;
        }

        GC.KeepAlive(x);
    }
}
