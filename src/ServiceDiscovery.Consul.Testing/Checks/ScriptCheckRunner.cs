// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Checks;

/// <summary>
/// Consul's <c>CheckMonitor</c> (script checks, <c>Args</c>): runs the command without a shell, stdout and stderr
/// into one buffer of <c>OutputMaxSize</c> keeping the last bytes (<c>Captured N of M bytes\n...\n</c> when cut);
/// exit 0 is passing, 1 warning, anything else critical; after <c>Timeout</c> (default 30 s) the process tree is
/// killed and the check is critical with <c>Timed out (30s) running check</c>.
/// </summary>
internal sealed class ScriptCheckRunner(CheckRecord check, LocalAgentState agent, TimeProvider time, ILogger logger)
    : IntervalCheckRunner(check, agent, time, logger)
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(30);

    protected override async Task<(string Status, string Output)> ProbeAsync(CancellationToken cancellationToken)
    {
        var args = Check.Definition!.ScriptArgs;
        var start = new ProcessStartInfo(args[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var arg in args.Skip(1))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            // Go: exec: "x": executable file not found in $PATH, or fork/exec x: <reason>.
            return ("critical", args[0].Contains('/', StringComparison.Ordinal)
                ? $"fork/exec {args[0]}: {ex.Message.ToLowerInvariant()}"
                : $"exec: \"{args[0]}\": executable file not found in $PATH");
        }

        var buffer = new TailBuffer(Check.OutputMaxSize);
        var pumps = Task.WhenAll(PumpAsync(process.StandardOutput.BaseStream, buffer), PumpAsync(process.StandardError.BaseStream, buffer));
        var timeout = Check.Timeout.IsPositive ? Check.Timeout.ToTimeSpan() : ScriptTimeout;
        using var timeoutSource = new CancellationTokenSource(timeout, Time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
            await pumps.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            var message = $"Timed out ({(Check.Timeout.IsPositive ? Check.Timeout.ToString() : Json.GoDuration.Format(ScriptTimeout))}) running check";
            var partial = buffer.Text();
            return ("critical", partial.Length > 0 ? message + "\n\n" + partial : message);
        }

        var output = buffer.Text();
        return process.ExitCode switch
        {
            0 => ("passing", output),
            1 => ("warning", output),
            _ => ("critical", output),
        };
    }

    private static async Task PumpAsync(Stream stream, TailBuffer buffer)
    {
        var chunk = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(chunk).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk.AsSpan(0, read));
        }
    }

    /// <summary>A circular buffer keeping the last <c>size</c> bytes and the total written (armon/circbuf).</summary>
    private sealed class TailBuffer(int size)
    {
        private readonly Lock _sync = new();
        private readonly Queue<byte> _bytes = new();
        private long _total;

        public void Write(ReadOnlySpan<byte> data)
        {
            lock (_sync)
            {
                _total += data.Length;
                foreach (var b in data)
                {
                    _bytes.Enqueue(b);
                    if (_bytes.Count > size)
                    {
                        _bytes.Dequeue();
                    }
                }
            }
        }

        public string Text()
        {
            lock (_sync)
            {
                var text = Encoding.UTF8.GetString([.. _bytes]);
                return _total > size
                    ? string.Create(CultureInfo.InvariantCulture, $"Captured {size} of {_total} bytes\n...\n{text}")
                    : text;
            }
        }
    }
}
