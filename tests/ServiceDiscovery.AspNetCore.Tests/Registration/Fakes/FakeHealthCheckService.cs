// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServiceDiscovery.AspNetCore.Tests.Registration.Fakes;

/// <summary>A <see cref="HealthCheckService"/> whose overall status the test sets.</summary>
internal sealed class FakeHealthCheckService : HealthCheckService
{
    public volatile HealthStatus Status = HealthStatus.Healthy;

    public override Task<HealthReport> CheckHealthAsync(Func<HealthCheckRegistration, bool>? predicate, CancellationToken cancellationToken = default)
        => Task.FromResult(new HealthReport(new Dictionary<string, HealthReportEntry>
        {
            ["app"] = new(Status, "secret detail that must not leak", TimeSpan.Zero, new InvalidOperationException("boom"), null),
        }, TimeSpan.Zero));
}
