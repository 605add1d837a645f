// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Text.RegularExpressions;

namespace ServiceDiscovery.AspNetCore.Tests.Readme;

/// <summary>
/// Every C# example in README.md must stand, line for line (indentation aside), in
/// tests/ServiceDiscovery.AspNetCore.ReadmeExamples/ReadmeExamples.cs, which the solution build compiles: so a README
/// example that stops compiling, or drifts from the compiled copy, fails the suite.
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    public static TheoryData<int, string> Examples()
    {
        var data = new TheoryData<int, string>();
        var index = 0;
        foreach (Match match in CSharpBlock().Matches(File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"))))
        {
            data.Add(++index, match.Groups[1].Value);
        }

        return data;
    }

    [Fact]
    public void Readme_HasCSharpExamples() => Assert.True(Examples().Count >= 10, $"only {Examples().Count} C# blocks found in README.md");

    [Theory]
    [MemberData(nameof(Examples))]
    public void ReadmeExample_IsInTheCompiledExamples(int number, string example)
    {
        var compiled = Lines(File.ReadAllText(Path.Combine(RepositoryRoot(), "tests", "ServiceDiscovery.AspNetCore.ReadmeExamples", "ReadmeExamples.cs")));
        var wanted = Lines(example);

        var found = Enumerable.Range(0, compiled.Length - wanted.Length + 1).Any(start => compiled.AsSpan(start, wanted.Length).SequenceEqual(wanted));

        Assert.True(found, $"README C# example #{number} is not in ReadmeExamples.cs (copy it there so it is compiled):\n{example}");
    }

    private static string[] Lines(string text)
        => [.. text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ServiceDiscovery.AspNetCore.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No ServiceDiscovery.AspNetCore.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
