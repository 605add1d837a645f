// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Tests.Http.Integration;

/// <summary>
/// A caller's steady, bounded traffic: one request at a time, a few milliseconds apart, counting the calls that
/// failed (any exception the caller would see) until stopped. Several run side by side for concurrent load.
/// </summary>
internal sealed class SteadyLoad : IAsyncDisposable
{
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(5);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _total;
    private int _failed;

    private SteadyLoad(HttpClient http, Func<HttpRequestMessage> request) => _loop = Task.Run(() => RunAsync(http, request));

    public int Total => Volatile.Read(ref _total);

    public int Failed => Volatile.Read(ref _failed);

    public List<string> Errors { get; } = [];

    public static SteadyLoad Start(HttpClient http, Uri uri) => new(http, () => new HttpRequestMessage(HttpMethod.Get, uri));

    /// <summary>Sends a new request from <paramref name="request"/> each time (headers of the moment, for example).</summary>
    public static SteadyLoad Start(HttpClient http, Func<HttpRequestMessage> request) => new(http, request);

    /// <summary>Waits until <paramref name="count"/> more calls completed than now.</summary>
    public Task RunMoreAsync(int count)
    {
        var target = Total + count;
        return TestInfrastructure.Eventually.WaitAsync(() => Total >= target, TimeSpan.FromSeconds(30));
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task RunAsync(HttpClient http, Func<HttpRequestMessage> request)
    {
        using var timer = new PeriodicTimer(Pace);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var message = request();
                using var response = await http.SendAsync(message, CancellationToken.None);
                response.EnsureSuccessStatusCode();
            }
#pragma warning disable CA1031 // Every failure the caller sees counts.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _failed);
                lock (Errors)
                {
                    Errors.Add($"{ex.GetType().Name}: {ex.Message}");
                }
            }

            Interlocked.Increment(ref _total);
            try
            {
                await timer.WaitForNextTickAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
