// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>Config entries (agent/config_endpoint.go): apply, read, list, delete, CAS and the error texts.</summary>
public sealed class ConfigEntryConformanceTests
{
    [Fact]
    public async Task ServiceDefaults_ApplyReadListCasDelete()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("cfg");
        var put = await consul.PutAsync("/v1/config", $$$"""{"Kind":"service-defaults","Name":"{{{name}}}","Protocol":"http"}""");
        Assert.Equal((200, "true"), (put.Status, put.Text.Trim()));
        try
        {
            var read = await consul.GetAsync($"/v1/config/service-defaults/{name}");
            Assert.Equal(200, read.Status);
            Assert.Equal("service-defaults", read.Json["Kind"]!.GetValue<string>());
            Assert.Equal(name, read.Json["Name"]!.GetValue<string>());
            Assert.Equal("http", read.Json["Protocol"]!.GetValue<string>());
            var modify = read.Json["ModifyIndex"]!.GetValue<ulong>();
            Assert.True(read.Index > 0);

            var list = await consul.GetAsync("/v1/config/service-defaults");
            Assert.Contains(list.Json.AsArray(), e => e!["Name"]!.GetValue<string>() == name);

            var staleCas = await consul.PutAsync($"/v1/config?cas={modify + 1000}", $$$"""{"Kind":"service-defaults","Name":"{{{name}}}","Protocol":"grpc"}""");
            Assert.Equal("false", staleCas.Text.Trim());
            var staleDelete = await consul.DeleteAsync($"/v1/config/service-defaults/{name}?cas={modify + 1000}");
            Assert.Equal((200, "false"), (staleDelete.Status, staleDelete.Text.Trim()));
        }
        finally
        {
            var deleted = await consul.DeleteAsync($"/v1/config/service-defaults/{name}");
            Assert.Equal((200, "{}"), (deleted.Status, deleted.Text.Trim()));
        }

        var gone = await consul.GetAsync($"/v1/config/service-defaults/{name}");
        Assert.Equal((404, $"Config entry not found for \"service-defaults\" / \"{name}\""), (gone.Status, gone.Text));
    }

    [Fact]
    public async Task Errors()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var noKind = await consul.PutAsync("/v1/config", """{"Name":"x"}""");
        Assert.Equal((400, "Request decoding failed: Payload does not contain a kind/Kind key at the top level"), (noKind.Status, noKind.Text));
        var badKind = await consul.PutAsync("/v1/config", """{"Kind":"nope","Name":"x"}""");
        Assert.Equal((400, "Request decoding failed: invalid config entry kind: nope"), (badKind.Status, badKind.Text));
        var deleteOne = await consul.DeleteAsync("/v1/config/service-defaults");
        Assert.Equal((404, "Must provide both a kind and name to delete"), (deleteOne.Status, deleteOne.Text));
    }
}
