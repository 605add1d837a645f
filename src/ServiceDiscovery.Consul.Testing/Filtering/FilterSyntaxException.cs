// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Filtering;

/// <summary>A filter go-bexpr would refuse; Consul answers 500 <c>Failed to create boolean expression evaluator: ...</c>.</summary>
internal sealed class FilterSyntaxException : Exception
{
    public FilterSyntaxException(string message)
        : base(message)
    {
    }

    public FilterSyntaxException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
