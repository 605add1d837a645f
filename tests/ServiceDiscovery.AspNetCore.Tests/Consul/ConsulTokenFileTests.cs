// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Tests.Consul.Fakes;

namespace ServiceDiscovery.AspNetCore.Tests.Consul;

/// <summary><c>Consul:TokenFile</c> and <c>CONSUL_HTTP_TOKEN_FILE</c> are re-read when the file changes, at most once a second.</summary>
public sealed class ConsulTokenFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("consul-token-").FullName;
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TokenFileSetting_RotatedFile_IsSentFromTheNextCheckOn()
    {
        var path = Write("token", "first-token\n");
        using var harness = Harness(new ConsulClientHarness(o => { o.Token = "config-token"; o.TokenFile = path; }));

        await harness.Client.GetLeaderAsync(_ct);
        Rotate(path, "second-token");
        await harness.Client.GetLeaderAsync(_ct);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await harness.Client.GetLeaderAsync(_ct);

        Assert.Equal(["first-token", "first-token", "second-token"], harness.Handler.Requests.Select(r => r.Header("X-Consul-Token")));
    }

    [Fact]
    public async Task EnvironmentTokenFile_RotatedFile_IsSentWithoutARestart()
    {
        var path = Write("token", "first-token");
        using var harness = Harness(new ConsulClientHarness(environment: new() { ["CONSUL_HTTP_TOKEN_FILE"] = path, ["CONSUL_HTTP_TOKEN"] = "env-token" }));

        await harness.Client.GetLeaderAsync(_ct);
        Rotate(path, "second-token");
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await harness.Client.GetLeaderAsync(_ct);

        Assert.Equal(["first-token", "second-token"], harness.Handler.Requests.Select(r => r.Header("X-Consul-Token")));
    }

    [Fact]
    public async Task FileMomentarilyGoneOrEmpty_KeepsTheLastToken()
    {
        var path = Write("token", "first-token");
        using var harness = Harness(new ConsulClientHarness(o => o.TokenFile = path));

        await harness.Client.GetLeaderAsync(_ct);
        File.Delete(path);
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await harness.Client.GetLeaderAsync(_ct);
        Rotate(path, "  ");
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await harness.Client.GetLeaderAsync(_ct);

        Assert.All(harness.Handler.Requests, r => Assert.Equal("first-token", r.Header("X-Consul-Token")));
    }

    private static ConsulClientHarness Harness(ConsulClientHarness harness)
    {
        harness.Handler.Respond = static (_, _) => Task.FromResult(FakeHttpMessageHandler.Json("\"10.0.0.1:8300\""));
        return harness;
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Rewrites the file with a last-write time that differs whatever the file system's resolution.</summary>
    private static void Rotate(string path, string content)
    {
        var before = File.Exists(path) ? File.GetLastWriteTimeUtc(path) : TimeProvider.System.GetUtcNow().UtcDateTime;
        File.WriteAllText(path, content);
        File.SetLastWriteTimeUtc(path, before.AddSeconds(5));
    }
}
