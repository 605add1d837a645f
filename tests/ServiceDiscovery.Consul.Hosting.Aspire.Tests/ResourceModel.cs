// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;

namespace ServiceDiscovery.Consul.Hosting.Aspire.Tests;

/// <summary>Evaluates a resource's annotations the way the orchestrator would at run time, without running it.</summary>
internal static class ResourceModel
{
    public static async Task<List<string?>> ArgumentsAsync(IResource resource, CancellationToken cancellationToken = default)
    {
        var context = new CommandLineArgsCallbackContext([], resource, cancellationToken);
        foreach (var annotation in resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        var values = new List<string?>();
        foreach (var arg in context.Args)
        {
            values.Add(await ValueAsync(arg, cancellationToken));
        }

        return values;
    }

    public static async Task<Dictionary<string, string?>> EnvironmentAsync(IResource resource, CancellationToken cancellationToken = default)
    {
        var variables = new Dictionary<string, object>();
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), resource, variables, cancellationToken);
        foreach (var annotation in resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await annotation.Callback(context);
        }

        var values = new Dictionary<string, string?>();
        foreach (var (name, value) in variables)
        {
            values[name] = await ValueAsync(value, cancellationToken);
        }

        return values;
    }

    private static async Task<string?> ValueAsync(object? value, CancellationToken cancellationToken) => value switch
    {
        string s => s,
        IValueProvider provider => await provider.GetValueAsync(cancellationToken),
        _ => value?.ToString(),
    };
}
