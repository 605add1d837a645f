// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.Consul.Testing.Filtering;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Tests.Unit;

public sealed class FilterExpressionTests
{
    private static readonly ServiceRecord Web = new()
    {
        Id = "web-1",
        Name = "web",
        Tags = ["blue", "v2"],
        Port = 8080,
        Meta = new Dictionary<string, string> { ["zone"] = "a" },
    };

    [Theory]
    [InlineData("Service == web", true)]
    [InlineData("Service != web", false)]
    [InlineData("\"blue\" in Tags", true)]
    [InlineData("green not in Tags", true)]
    [InlineData("Tags contains v2", true)]
    [InlineData("Meta.zone == a and Port == 8080", true)]
    [InlineData("Meta[\"zone\"] == b or ID == `web-1`", true)]
    [InlineData("not (Service == web)", false)]
    [InlineData("Tags is not empty", true)]
    [InlineData("Meta.missing is empty", true)]
    [InlineData("ID matches \"^web-[0-9]+$\"", true)]
    public void Matches_AgentServiceSelectors(string expression, bool expected)
    {
        var filter = FilterExpression.Parse(expression, Selectors.IsValidAgentService);
        Assert.Equal(expected, filter.Matches((Web, "dc1"), Selectors.AgentService));
    }

    [Theory]
    [InlineData("Service ==")]
    [InlineData("(Service == web")]
    [InlineData("Nope == x")]
    [InlineData("Service = web")]
    public void Parse_Invalid_Throws(string expression)
    {
        Assert.Throws<FilterSyntaxException>(() => FilterExpression.Parse(expression, Selectors.IsValidAgentService));
    }
}
