// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>Prepared queries (agent/prepared_query_endpoint.go): CRUD, validation texts and execution.</summary>
public sealed class PreparedQueryConformanceTests
{
    [Fact]
    public async Task CreateReadUpdateDelete()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("pq");
        var created = await consul.SendAsync(HttpMethod.Post, "/v1/query", $$$"""{"Name":"{{{name}}}","Service":{"Service":"{{{name}}}-svc","Tags":["v1"]}}""");
        Assert.Equal(200, created.Status);
        var id = created.Json["ID"]!.GetValue<string>();
        try
        {
            var read = await consul.GetAsync($"/v1/query/{id}");
            var query = read.Json.AsArray().Single()!;
            Assert.Equal(name, query["Name"]!.GetValue<string>());
            Assert.Equal("v1", query["Service"]!["Tags"]![0]!.GetValue<string>());
            Assert.False(query["Service"]!["OnlyPassing"]!.GetValue<bool>());
            Assert.Equal(string.Empty, query["DNS"]!["TTL"]!.GetValue<string>());
            Assert.True(read.Index > 0);

            var updated = await consul.PutAsync($"/v1/query/{id}", $$$"""{"Name":"{{{name}}}","Service":{"Service":"{{{name}}}-svc","OnlyPassing":true}}""");
            Assert.Equal((200, string.Empty), (updated.Status, updated.Text));
            Assert.Contains((await consul.GetAsync("/v1/query")).Json.AsArray(), q => q!["ID"]!.GetValue<string>() == id
                && q["Service"]!["OnlyPassing"]!.GetValue<bool>());

            var explain = await consul.GetAsync($"/v1/query/{name}/explain");
            Assert.Equal(id, explain.Json["Query"]!["ID"]!.GetValue<string>());
        }
        finally
        {
            Assert.Equal(200, (await consul.DeleteAsync($"/v1/query/{id}")).Status);
        }

        var gone = await consul.GetAsync($"/v1/query/{id}");
        Assert.Equal((404, "Query not found"), (gone.Status, gone.Text));
    }

    [Fact]
    public async Task Validation_Texts()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var noService = await consul.SendAsync(HttpMethod.Post, "/v1/query", $$"""{"Name":"{{consul.Name("q")}}"}""");
        Assert.Equal((500, "Invalid prepared query: Must provide a Service name to query"), (noService.Status, noService.Text));
        var badTtl = await consul.SendAsync(HttpMethod.Post, "/v1/query", $$$"""{"Name":"{{{consul.Name("q")}}}","Service":{"Service":"a"},"DNS":{"TTL":"nope"}}""");
        Assert.Equal(500, badTtl.Status);
        Assert.StartsWith("Invalid prepared query: Bad DNS TTL 'nope': ", badTtl.Text, StringComparison.Ordinal);
        var execUnknown = await consul.GetAsync($"/v1/query/{Guid.NewGuid()}/execute");
        Assert.Equal((404, "Query not found"), (execUnknown.Status, execUnknown.Text));
    }

    [Fact]
    public async Task Write_RefusesInTheServersOrder_WithItsPrefixes()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var name = consul.Name("q");
        var created = await consul.SendAsync(HttpMethod.Post, "/v1/query", $$$"""{"Name":"{{{name}}}","Service":{"Service":"a"}}""");
        Assert.Equal(200, created.Status);
        var id = created.Json["ID"]!.GetValue<string>();
        try
        {
            async Task<(int, string)> PostAsync(string body)
            {
                var reply = await consul.SendAsync(HttpMethod.Post, "/v1/query", body);
                return (reply.Status, reply.Text.Trim());
            }

            Assert.Equal((500, "ID must be empty when creating a new prepared query"), await PostAsync($$$"""{"ID":"{{{Guid.NewGuid()}}}","Name":"{{{consul.Name("q")}}}","Service":{"Service":"a"}}"""));
            Assert.Equal((500, "Invalid prepared query: Must be bound to a session"), await PostAsync("""{"Service":{"Service":"a"}}"""));
            Assert.Equal((500, "Invalid prepared query: Bad Token '<hidden>', it looks like a query definition with a redacted token was submitted"), await PostAsync($$$"""{"Name":"{{{consul.Name("q")}}}","Token":"<hidden>","Service":{"Service":"a"}}"""));
            Assert.Equal((500, $"raft apply failed: name '{name}' aliases an existing query name"), await PostAsync($$$"""{"Name":"{{{name}}}","Service":{"Service":"b"}}"""));
            Assert.Equal((500, $"raft apply failed: name '{id}' aliases an existing query ID"), await PostAsync($$$"""{"Name":"{{{id}}}","Service":{"Service":"b"}}"""));
            var session = Guid.NewGuid().ToString();
            Assert.Equal((500, $"raft apply failed: invalid session \"{session}\""), await PostAsync($$$"""{"Session":"{{{session}}}","Service":{"Service":"b"}}"""));

            var unknown = Guid.NewGuid().ToString();
            var update = await consul.PutAsync($"/v1/query/{unknown}", """{"Service":{"Service":"a"}}""");
            Assert.Equal((500, $"Cannot modify non-existent prepared query: '{unknown}'"), (update.Status, update.Text.Trim()));
        }
        finally
        {
            Assert.Equal(200, (await consul.DeleteAsync($"/v1/query/{id}")).Status);
        }
    }

    [Fact]
    public async Task Execute_AnswersAtOnce_EvenWithAnIndexAheadOfTheStore()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var svc = consul.Name("now");
        var created = await consul.SendAsync(HttpMethod.Post, "/v1/query", $$$"""{"Name":"{{{svc}}}","Service":{"Service":"{{{svc}}}"}}""");
        var id = created.Json["ID"]!.GetValue<string>();
        try
        {
            // A blocking read with this index and wait would hold the request for ten minutes: the deadline would end it.
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var reply = await consul.GetAsync($"/v1/query/{id}/execute?index={ulong.MaxValue / 2}&wait=10m").WaitAsync(deadline.Token);
            Assert.Equal(200, reply.Status);
            Assert.Empty(reply.Json["Nodes"]!.AsArray());
        }
        finally
        {
            await consul.DeleteAsync($"/v1/query/{id}");
        }
    }

    [Fact]
    public async Task Execute_FiltersByTagsHealthAndMeta()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var svc = consul.Name("exec");
        await consul.RegisterAsync($$$"""{"ID":"{{{svc}}}-1","Name":"{{{svc}}}","Tags":["v1"],"Meta":{"zone":"a"}}""");
        await consul.RegisterAsync($$$"""{"ID":"{{{svc}}}-2","Name":"{{{svc}}}","Tags":["v2"],"Meta":{"zone":"b"}}""");
        await consul.RegisterAsync($$$"""{"ID":"{{{svc}}}-3","Name":"{{{svc}}}","Tags":["v1"],"Check":{"TTL":"60s","Status":"critical"}}""");
        var created = await consul.SendAsync(HttpMethod.Post, "/v1/query", $$$"""{"Name":"{{{svc}}}","Service":{"Service":"{{{svc}}}","Tags":["!v2"]}}""");
        var id = created.Json["ID"]!.GetValue<string>();
        try
        {
            var result = await Eventually.UntilAsync(() => consul.GetAsync($"/v1/query/{id}/execute"),
                reply => reply.Status == 200 && reply.Json["Nodes"]!.AsArray().Count == 1, TimeSpan.FromSeconds(30));
            Assert.Equal(svc, result.Json["Service"]!.GetValue<string>());
            Assert.Equal($"{svc}-1", result.Json["Nodes"]![0]!["Service"]!["ID"]!.GetValue<string>());
            Assert.Equal(0, result.Json["Failovers"]!.GetValue<int>());
            Assert.NotNull(result.Json["Datacenter"]);
            Assert.NotNull(result.Json["DNS"]);

            var replaced = await consul.PutAsync($"/v1/query/{id}", $$$$"""{"Name":"{{{{svc}}}}","Service":{"Service":"{{{{svc}}}}","ServiceMeta":{"zone":"b"}}}""");
            Assert.Equal(200, replaced.Status);
            var meta = await consul.GetAsync($"/v1/query/{id}/execute");
            Assert.Equal($"{svc}-2", meta.Json["Nodes"]!.AsArray().Single()!["Service"]!["ID"]!.GetValue<string>());
        }
        finally
        {
            await consul.DeleteAsync($"/v1/query/{id}");
        }
    }
}
