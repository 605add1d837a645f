// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.State;

/// <summary>
/// A versioned wake-up for blocking queries: each waiter awaits the task of the version it saw, so a thousand
/// blocked requests cost a thousand continuations, not a thousand threads. <see cref="Publish"/> completes the
/// current task and starts a new version.
/// </summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Gets the task that completes at the next change.</summary>
    public Task NextChange => Volatile.Read(ref _current).Task;

    /// <summary>Wakes every waiter of the current version.</summary>
    public void Publish()
    {
        var next = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _current, next).TrySetResult();
    }
}
