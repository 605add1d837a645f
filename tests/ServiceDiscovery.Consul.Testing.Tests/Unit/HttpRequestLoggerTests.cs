// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

/// <summary>Consul's request-line redaction (agent/http.go logURL) and hclog's value quoting.</summary>
public sealed class HttpRequestLoggerTests
{
    [Theory]
    [InlineData("/v1/kv/a?token=s3cret", "/v1/kv/a?token=<hidden>")]
    [InlineData("/v1/kv/a?token=s3cret&token=other", "/v1/kv/a?token=<hidden>&token=<hidden>")]
    [InlineData("/v1/kv/a?token=", "/v1/kv/a?token=<hidden>")]
    [InlineData("/v1/acl/info/abc-123", "/v1/acl/info/<hidden>")]
    [InlineData("/v1/acl/clone/abc?token=root", "/v1/acl/clone/<hidden>?token=<hidden>")]
    [InlineData("/v1/acl/token/abc", "/v1/acl/token/abc")]
    [InlineData("/v1/kv/a?recurse", "/v1/kv/a?recurse")]
    public void LogUrl_HidesTokensAsConsulDoes(string target, string expected)
    {
        var query = target.IndexOf('?', StringComparison.Ordinal) is var q and >= 0 ? target[(q + 1)..] : string.Empty;
        Assert.Equal(expected, HttpRequestLogger.LogUrl(target, new GoQuery(query)));
    }

    [Theory]
    [InlineData("/v1/kv/a", "url=/v1/kv/a")]
    [InlineData("/v1/kv/a?x=1&y=2", "url=\"/v1/kv/a?x=1&y=2\"")]
    [InlineData("", "url=\"\"")]
    [InlineData("say \"hi\"", "url=\"say \\\"hi\\\"\"")]
    [InlineData("12.5µs", "url=\"12.5µs\"")]
    public void Text_QuotesValuesOutsideTheNormalRange(string value, string expected)
    {
        var line = HclogFormat.Text(DateTimeOffset.UnixEpoch, LogLevel.Debug, "agent.http", "Request finished", [new("url", value)]);
        Assert.Equal($"1970-01-01T00:00:00.000Z [DEBUG] agent.http: Request finished: {expected}\n", line);
    }

    [Fact]
    public void Text_PadsShortLevelsAndOmitsTheColonWithoutFields()
    {
        Assert.Equal(
            "1970-01-01T00:00:00.000Z [INFO]  agent: synced\n",
            HclogFormat.Text(DateTimeOffset.UnixEpoch, LogLevel.Information, "agent", "synced", []));
    }

    [Fact]
    public void Json_SortsKeysAsGoDoes()
    {
        var line = HclogFormat.Json(DateTimeOffset.UnixEpoch, LogLevel.Debug, "agent.http", "Request finished", [new("url", "/v1/kv/a"), new("from", "127.0.0.1:1")]);
        Assert.Equal(
            "{\"@level\":\"debug\",\"@message\":\"Request finished\",\"@module\":\"agent.http\",\"@timestamp\":\"1970-01-01T00:00:00.000000Z\",\"from\":\"127.0.0.1:1\",\"url\":\"/v1/kv/a\"}\n",
            line);
    }
}
