// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using ServiceDiscovery.AspNetCore.Configuration;
using YamlDotNet.Core;

namespace ServiceDiscovery.AspNetCore.Tests.Configuration;

public sealed class YamlDocumentFlattenerTests
{
    [Fact]
    public void Flatten_NestsMappingsNumbersSequencesAndKeepsScalarsAsText()
    {
        var data = YamlDocumentFlattener.Flatten("a:\n  b: 1\n  list:\n    - x\n    - { y: 2 }\nquoted: 'null'\nnothing: null\nempty: {}\n", "Base");

        Assert.Equal("1", data["Base:a:b"]);
        Assert.Equal("x", data["Base:a:list:0"]);
        Assert.Equal("2", data["Base:a:list:1:y"]);
        Assert.Equal("null", data["Base:quoted"]);
        Assert.Null(data["Base:nothing"]);
        Assert.True(data.ContainsKey("Base:empty"));
        Assert.Null(data["Base:empty"]);
    }

    [Fact]
    public void Flatten_EmptyDocument_GivesNothing() => Assert.Empty(YamlDocumentFlattener.Flatten("", "Base"));

    [Theory]
    [InlineData("- a\n- b\n")]
    [InlineData("a: [1\n")]
    [InlineData("a: &x 1\nb: *x\n")]
    public void Flatten_RootNotAMappingOrMalformedOrAlias_ThrowsWithPosition(string yaml)
    {
        var error = Assert.ThrowsAny<YamlException>(() => YamlDocumentFlattener.Flatten(yaml, ""));
        Assert.True(error.Start.Line >= 1);
    }
}
