// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore;

/// <summary>
/// A job only one orders instance runs: the leader of the "orders-reconciliation" election. It reconciles every
/// 30 seconds while this instance leads and stops as soon as the term ends (another instance takes over).
/// </summary>
internal sealed partial class OrderReconciliation(
    [FromKeyedServices(OrderReconciliation.ElectionName)] IConsulLeaderElection election,
    ILogger<OrderReconciliation> logger) : ConsulLeaderBackgroundService(election)
{
    public const string ElectionName = "orders-reconciliation";

    protected override async Task ExecuteAsLeaderAsync(CancellationToken leadershipToken)
    {
        Log.Leading(logger, ElectionName);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30));
        do
        {
            Log.Reconciled(logger);
        }
        while (await timer.WaitForNextTickAsync(leadershipToken));
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "This instance leads '{Election}': reconciling orders.")]
        public static partial void Leading(ILogger logger, string election);

        [LoggerMessage(2, LogLevel.Information, "Orders reconciled.")]
        public static partial void Reconciled(ILogger logger);
    }
}
