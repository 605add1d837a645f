// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.RegularExpressions;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Acl;

/// <summary>The per-feature ACL policies of docs/operations.md, read from the doc so the test proves what users read.</summary>
internal static partial class DocumentedPolicies
{
    /// <summary>The rules of one feature's block, one per line.</summary>
    public static IReadOnlyList<string> Rules(string feature)
    {
        var text = RepositoryFiles.ReadText("docs/operations.md");
        var marker = $"<!-- acl-policy: {feature} -->";
        var start = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/operations.md has no policy block for '{feature}'");
        var body = text[(text.IndexOf("```hcl", start, StringComparison.Ordinal) + "```hcl".Length)..];
        body = body[..body.IndexOf("```", StringComparison.Ordinal)];
        return body.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>The permission a rule line grants, as Consul's denials name it: <c>key_prefix "a/" { policy = "read" }</c> is <c>key:read</c>.</summary>
    public static (string Permission, string Name) PermissionOf(string rule)
    {
        var match = RuleLine().Match(rule);
        Assert.True(match.Success, $"not a one-line rule: {rule}");
        return ($"{match.Groups["resource"].Value}:{match.Groups["level"].Value}", match.Groups["name"].Value);
    }

    [GeneratedRegex("^(?<resource>[a-z]+?)(_prefix)? \"(?<name>[^\"]*)\" \\{ policy = \"(?<level>[a-z]+)\" \\}$")]
    private static partial Regex RuleLine();
}
