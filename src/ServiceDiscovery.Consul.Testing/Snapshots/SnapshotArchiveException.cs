// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Snapshots;

/// <summary>A snapshot archive that fails Consul's checks; the message is the text Consul answers with.</summary>
internal sealed class SnapshotArchiveException : Exception
{
    public SnapshotArchiveException()
    {
    }

    public SnapshotArchiveException(string message)
        : base(message)
    {
    }

    public SnapshotArchiveException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
