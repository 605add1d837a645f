// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Tests.TestInfrastructure;

/// <summary>Finds files of the repository from the test's output folder, for tests that hold code and docs to each other.</summary>
internal static class RepositoryFiles
{
    public static string Root()
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

    /// <summary>The text of <paramref name="relativePath"/> ('/'-separated, from the root), with '\n' line ends.</summary>
    public static string ReadText(string relativePath)
        => File.ReadAllText(Path.Combine([Root(), .. relativePath.Split('/')])).ReplaceLineEndings("\n");
}
