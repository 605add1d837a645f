// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.RegularExpressions;
using ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

namespace ServiceDiscovery.AspNetCore.Tests.Readme;

/// <summary>
/// Every C# example in the documentation (README.md, docs/*.md and the package README
/// src/ServiceDiscovery.AspNetCore/README.md) must stand, line for line (indentation aside), in
/// tests/ServiceDiscovery.AspNetCore.ReadmeExamples/ReadmeExamples.cs, which the solution build compiles: so an
/// example that stops compiling, or drifts from the compiled copy, fails the suite.
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    /// <summary>The documents whose C# blocks are checked, relative to the repository root, '/'-separated.</summary>
    public static IEnumerable<string> Documents()
    {
        var root = RepositoryFiles.Root();
        yield return "README.md";
        yield return "src/ServiceDiscovery.AspNetCore/README.md";
        foreach (var page in Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal))
        {
            yield return "docs/" + Path.GetFileName(page);
        }
    }

    public static TheoryData<string, int, string> Examples()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var document in Documents())
        {
            var index = 0;
            var text = RepositoryFiles.ReadText(document);
            foreach (Match match in CSharpBlock().Matches(text))
            {
                data.Add(document, ++index, match.Groups[1].Value);
            }
        }

        return data;
    }

    [Fact]
    public void Readme_HasCSharpExamples()
    {
        var count = Examples().Count(row => row.Data.Item1 == "README.md");
        Assert.True(count >= 1, "no C# block found in README.md");
    }

    [Fact]
    public void Docs_HaveCSharpExamples()
    {
        var total = Examples().Count;
        Assert.True(total >= 10, $"only {total} C# blocks found in README.md, docs/*.md and the package README");
    }

    [Fact]
    public void DocumentsToCheck_Exist()
    {
        foreach (var document in Documents())
        {
            Assert.True(File.Exists(Path.Combine(RepositoryFiles.Root(), document)), $"{document} is missing");
        }

        Assert.Contains("docs/registration.md", Documents());
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void ReadmeExample_IsInTheCompiledExamples(string document, int number, string example)
    {
        var compiled = Lines(File.ReadAllText(Path.Combine(RepositoryFiles.Root(), "tests", "ServiceDiscovery.AspNetCore.ReadmeExamples", "ReadmeExamples.cs")));
        var wanted = Lines(example);

        var found = Enumerable.Range(0, compiled.Length - wanted.Length + 1).Any(start => compiled.AsSpan(start, wanted.Length).SequenceEqual(wanted));

        Assert.True(found, $"C# example #{number} of {document} is not in ReadmeExamples.cs (copy it there so it is compiled):\n{example}");
    }

    private static string[] Lines(string text)
        => [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
