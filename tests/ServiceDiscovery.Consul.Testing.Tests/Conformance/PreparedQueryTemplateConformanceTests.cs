// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

namespace ServiceDiscovery.Consul.Testing.Tests.Conformance;

/// <summary>
/// Prepared-query templates (state/prepared_query.go <c>PreparedQueryResolve</c>, prepared_query/template.go): the
/// longest name prefix wins, variables render from the name looked up, and a template cannot be executed by its ID.
/// </summary>
public sealed class PreparedQueryTemplateConformanceTests
{
    [Fact]
    public async Task Template_RendersTheServiceFromTheNameLookedUp()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var prefix = consul.Name("geo-");
        var svc = consul.Name("api");
        await consul.RegisterAsync($$$"""{"ID":"{{{svc}}}-1","Name":"{{{svc}}}","Tags":["blue"]}""");
        await consul.RegisterAsync($$$"""{"ID":"{{{svc}}}-2","Name":"{{{svc}}}","Tags":["green"]}""");
        var template = $$$"""
            {"Name":"{{{prefix}}}","Template":{"Type":"name_prefix_match","Regexp":"^{{{prefix}}}(.+?)(?:-(blue|green))?$","RemoveEmptyTags":true},
             "Service":{"Service":"${match(1)}","Tags":["${match(2)}"]}}
            """;
        var id = (await consul.SendAsync(HttpMethod.Post, "/v1/query", template)).Json["ID"]!.GetValue<string>();
        try
        {
            var all = await Eventually.UntilAsync(
                () => consul.GetAsync($"/v1/query/{prefix}{svc}/execute"), reply => reply.Status == 200 && reply.Json["Nodes"]!.AsArray().Count == 2);
            Assert.Equal(svc, all.Json["Service"]!.GetValue<string>());

            var green = await consul.GetAsync($"/v1/query/{prefix}{svc}-green/execute");
            Assert.Equal($"{svc}-2", green.Json["Nodes"]!.AsArray().Single()!["Service"]!["ID"]!.GetValue<string>());

            var explained = await consul.GetAsync($"/v1/query/{prefix}{svc}-blue/explain");
            Assert.Equal(svc, explained.Json["Query"]!["Service"]!["Service"]!.GetValue<string>());
            Assert.Equal("blue", explained.Json["Query"]!["Service"]!["Tags"]!.AsArray().Single()!.GetValue<string>());
            var untagged = await consul.GetAsync($"/v1/query/{prefix}{svc}/explain");
            Assert.Empty(untagged.Json["Query"]!["Service"]!["Tags"]!.AsArray());

            var byId = await consul.GetAsync($"/v1/query/{id}/execute");
            Assert.Equal((500, "prepared query templates can only be resolved up by name, not by ID"), (byId.Status, byId.Text.TrimEnd()));
        }
        finally
        {
            await consul.DeleteAsync($"/v1/query/{id}");
        }
    }

    [Fact]
    public async Task LongestPrefixWins_ANonTemplateMatchesItsWholeNameOnly()
    {
        await using var consul = await ConsulTarget.StartAsync();
        var prefix = consul.Name("pfx-");
        var svc = consul.Name("svc");
        await consul.RegisterAsync($$$"""{"ID":"{{{svc}}}","Name":"{{{svc}}}"}""");
        var template = (await consul.SendAsync(HttpMethod.Post, "/v1/query", $$$"""
            {"Name":"{{{prefix}}}","Template":{"Type":"name_prefix_match"},"Service":{"Service":"${name.suffix}"}}
            """)).Json["ID"]!.GetValue<string>();
        var exact = (await consul.SendAsync(HttpMethod.Post, "/v1/query", $$$"""
            {"Name":"{{{prefix}}}fixed","Service":{"Service":"{{{svc}}}"}}
            """)).Json["ID"]!.GetValue<string>();
        try
        {
            var viaTemplate = await consul.GetAsync($"/v1/query/{prefix}{svc}/execute");
            Assert.Equal(svc, viaTemplate.Json["Service"]!.GetValue<string>());

            var viaExact = await consul.GetAsync($"/v1/query/{prefix}fixed/execute");
            Assert.Equal(200, viaExact.Status);
            Assert.Equal(svc, viaExact.Json["Service"]!.GetValue<string>());

            // The longest prefix of "<prefix>fixedX" is the non-template "<prefix>fixed", which does not match it whole.
            var shadowed = await consul.GetAsync($"/v1/query/{prefix}fixedX/execute");
            Assert.Equal((404, "Query not found"), (shadowed.Status, shadowed.Text.TrimEnd()));
        }
        finally
        {
            await consul.DeleteAsync($"/v1/query/{template}");
            await consul.DeleteAsync($"/v1/query/{exact}");
        }
    }
}
