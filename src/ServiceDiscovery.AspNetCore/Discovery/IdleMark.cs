// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Discovery;

/// <summary>
/// Whether a watched name is still looked up, for the cache's idle sweep: lookups set the mark, the sweep takes it and
/// records when it last found one.
/// </summary>
/// <param name="lastActive">A <see cref="TimeProvider"/> timestamp: the watch's creation.</param>
internal sealed class IdleMark(long lastActive)
{
    // A plain flag costs a lookup one read (and rarely one write).
    private volatile bool _touched = true;

    /// <summary>When the sweep last found the name looked up (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastActive { get; set; } = lastActive;

    /// <summary>Records a lookup.</summary>
    public void Touch()
    {
        if (!_touched)
        {
            _touched = true;
        }
    }

    /// <summary>Returns whether the name was looked up since the last call, and clears the mark.</summary>
    public bool ConsumeTouched()
    {
        if (!_touched)
        {
            return false;
        }

        _touched = false;
        return true;
    }
}
