// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// The library's one <see cref="ActivitySource"/> and <see cref="Meter"/>, both named <c>ServiceDiscovery.Consul</c>,
/// and the Consul client's instruments. Endpoint tags are templates (<c>/v1/health/service/{service}</c>) so that
/// service ids, names and keys never become metric dimensions.
/// </summary>
internal sealed class ConsulTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and of the <see cref="Meter"/>.</summary>
    public const string Name = "ServiceDiscovery.Consul";

    /// <summary>Traces every Consul request (the HttpClient's own activity is its child).</summary>
    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    public ConsulTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(Name);
        _requests = Meter.CreateCounter<long>(
            "consul.client.requests", unit: "{request}", description: "Consul HTTP API requests, by endpoint template, method and outcome.");
        _duration = Meter.CreateHistogram<double>(
            "consul.client.request.duration", unit: "s", description: "Duration of Consul HTTP API requests, blocking queries included.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600] });
    }

    /// <summary>The shared meter, for other parts of the library that add instruments.</summary>
    public Meter Meter { get; }

    /// <summary>Records one finished request. <paramref name="statusCode"/> is null when Consul did not answer.</summary>
    public void RecordRequest(string endpoint, string method, int? statusCode, ConsulErrorReason? error, TimeSpan elapsed)
    {
        var tags = new TagList
        {
            { "consul.endpoint", endpoint },
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
        _duration.Record(elapsed.TotalSeconds, tags);
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
