// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Discovery;

internal sealed partial class DatacenterFailover
{
    // Discovery owns event ids 3000-3099; failover uses 3050-3059.
    private static partial class Log
    {
        [LoggerMessage(3053, LogLevel.Warning, "No instance of Consul service '{ServiceName}' passes in the local datacenter and there is no other datacenter to try (Failover:Datacenters [{Datacenters}], NearestN {NearestN}).", EventName = "DiscoveryFailoverNoDatacenter")]
        public static partial void NoCandidates(ILogger logger, string serviceName, string datacenters, int nearestN);

        [LoggerMessage(3056, LogLevel.Warning, "Reading Consul's datacenter list for the NearestN failover of service '{ServiceName}' failed ({ErrorType}); only the listed Failover:Datacenters are tried.", EventName = "DiscoveryFailoverDatacentersUnreadable")]
        public static partial void DatacentersUnreadable(ILogger logger, string serviceName, string errorType, Exception exception);
    }
}
