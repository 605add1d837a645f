// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// The library's one <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <c>ServiceDiscovery.Consul</c>,
/// and the Consul client's instruments. Endpoint tags are templates (<c>/v1/health/service/{service}</c>) so that
/// service ids, names and keys never become metric dimensions. Blocking queries have a histogram of their own: their
/// duration is mostly Consul's wait (up to 10 minutes), which would drown the latency of every other call.
/// </summary>
internal sealed class ConsulTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="Meter"/>.</summary>
    public const string Name = "ServiceDiscovery.Consul";

    /// <summary>
    /// Traces every Consul request as an <see cref="ActivityKind.Internal"/> activity; System.Net.Http's own
    /// <see cref="ActivityKind.Client"/> activity is its child, so each request has one client span.
    /// </summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _blockingDuration;

    public ConsulTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(Name);
        _requests = Meter.CreateCounter<long>(
            "consul.client.requests", unit: "{request}", description: "Consul HTTP API requests, by endpoint template, method and outcome.");
        _duration = Meter.CreateHistogram<double>(
            "consul.client.request.duration", unit: "s", description: "Duration of Consul HTTP API requests that are not blocking queries.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30] });
        _blockingDuration = Meter.CreateHistogram<double>(
            "consul.client.blocking_query.duration", unit: "s", description: "Duration of Consul blocking queries, the server's wait included.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 330, 600, 660] });
    }

    /// <summary>The shared meter, for other parts of the library that add instruments.</summary>
    public Meter Meter { get; }

    /// <summary>
    /// Records one finished request. <paramref name="statusCode"/> is null when Consul did not answer;
    /// <paramref name="blocking"/> says whether it was a blocking query (its duration goes to the blocking histogram).
    /// </summary>
    public void RecordRequest(string endpoint, string method, bool blocking, int? statusCode, ConsulErrorReason? error, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "url.template", endpoint },
            { "http.request.method", method },
        };
        if (statusCode is { } status)
        {
            tags.Add("http.response.status_code", status);
        }

        if (error is { } reason)
        {
            tags.Add("error.type", ErrorType(reason, statusCode));
        }

        _requests.Add(1, tags);
        (blocking ? _blockingDuration : _duration).Record(elapsed.TotalSeconds, tags);
    }

    /// <summary>OTel's <c>error.type</c>: the status code for API errors, else a stable snake_case reason.</summary>
    public static string ErrorType(ConsulErrorReason reason, int? statusCode) => reason switch
    {
        ConsulErrorReason.ApiError when statusCode is { } status => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ConsulErrorReason.Timeout => "timeout",
        ConsulErrorReason.ConnectionFailed => "connection_error", // System.Net.Http's own value for a failed connection
        ConsulErrorReason.InvalidResponse => "invalid_response",
        _ => "api_error",
    };
}
