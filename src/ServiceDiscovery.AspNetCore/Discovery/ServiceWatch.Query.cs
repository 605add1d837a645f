// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using ServiceDiscovery.AspNetCore.Consul;
using ServiceDiscovery.AspNetCore.Consul.Models;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class ServiceWatch
{
    /// <summary>
    /// One query of the loop. The watch's first query runs under the Activity of the lookup that started the watch, so
    /// its span is a child of that caller's; every later query (the blocking ones, which outlive any caller) has none.
    /// </summary>
    private Task<QueryResult<IReadOnlyList<ServiceEntry>>> QueryAsync(ulong index, CancellationToken stopping)
    {
        var caller = Interlocked.Exchange(ref _firstCaller, null);
        return caller is null ? QueryHealthAsync(index, stopping) : QueryInTraceAsync(caller, index, stopping);
    }

    private Task<QueryResult<IReadOnlyList<ServiceEntry>>> QueryHealthAsync(ulong index, CancellationToken stopping)
        => _client.GetHealthServiceAsync(ServiceName, _query.HealthQuery, _query.ToQueryOptions(index, JitteredWait(_guard.Wait(_options.WaitTime), _random())), stopping);

    /// <remarks>
    /// <see cref="Activity.Current"/> is set inside an async method of its own: the change is undone when it returns, so
    /// the loop goes on without a parent.
    /// </remarks>
    private async Task<QueryResult<IReadOnlyList<ServiceEntry>>> QueryInTraceAsync(Activity caller, ulong index, CancellationToken stopping)
    {
        Activity.Current = caller;
        return await QueryHealthAsync(index, stopping).ConfigureAwait(false);
    }
}
