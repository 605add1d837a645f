// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Diagnostics.CodeAnalysis;

/// <summary>The smoke program's one assertion: print what failed and exit non-zero.</summary>
internal static class Smoke
{
    public static void Require([DoesNotReturnIf(false)] bool condition, string what)
    {
        if (!condition)
        {
            Console.Error.WriteLine($"AOT smoke FAILED: {what}");
            Environment.Exit(1);
        }
    }
}
