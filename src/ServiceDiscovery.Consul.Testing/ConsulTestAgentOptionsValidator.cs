// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Options;

namespace ServiceDiscovery.Consul.Testing;

/// <summary>Rejects options the agent cannot run with, naming the property and the fix.</summary>
internal sealed class ConsulTestAgentOptionsValidator : IValidateOptions<ConsulTestAgentOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsulTestAgentOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"ConsulTestAgentOptions.Port must be between 0 (any free port) and 65535; got '{options.Port}'.");
        }

        if (string.IsNullOrWhiteSpace(options.Datacenter))
        {
            failures.Add("ConsulTestAgentOptions.Datacenter must not be empty; use 'dc1' as Consul does.");
        }

        if (string.IsNullOrWhiteSpace(options.NodeName))
        {
            failures.Add("ConsulTestAgentOptions.NodeName must not be empty; set a node name.");
        }

        if (options.TimeProvider is null)
        {
            failures.Add("ConsulTestAgentOptions.TimeProvider must not be null; use TimeProvider.System or a FakeTimeProvider.");
        }

        if (options.ReapInterval <= TimeSpan.Zero)
        {
            failures.Add($"ConsulTestAgentOptions.ReapInterval must be greater than zero; got '{options.ReapInterval}'.");
        }

        if (options.DeregisterCriticalServiceMinimum < TimeSpan.Zero)
        {
            failures.Add($"ConsulTestAgentOptions.DeregisterCriticalServiceMinimum must not be negative; got '{options.DeregisterCriticalServiceMinimum}'.");
        }

        if (options.CheckOutputSyncDelay < TimeSpan.Zero)
        {
            failures.Add($"ConsulTestAgentOptions.CheckOutputSyncDelay must not be negative; got '{options.CheckOutputSyncDelay}' (use zero for immediate syncs).");
        }

        if (options.Acl.Enabled && options.Acl.Tokens.Any(t => string.IsNullOrEmpty(t.SecretId)))
        {
            failures.Add("ConsulTestAgentOptions.Acl.Tokens must each have a SecretId.");
        }

        ValidateConnect(options.Connect, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateConnect(ConsulTestAgentConnectOptions connect, List<string> failures)
    {
        if (connect.LeafCertTtl < TimeSpan.FromMinutes(2) || connect.LeafCertTtl > TimeSpan.FromHours(8760))
        {
            failures.Add($"ConsulTestAgentOptions.Connect.LeafCertTtl must be between 2 minutes and 8760 hours (a leaf is backdated by a minute, as Consul does); got '{connect.LeafCertTtl}'.");
        }

        if (connect.LeafReissueJitter < TimeSpan.Zero)
        {
            failures.Add($"ConsulTestAgentOptions.Connect.LeafReissueJitter must not be negative; got '{connect.LeafReissueJitter}' (use zero to reissue at once).");
        }

        if (connect.DefaultIntentionPolicy is not ("" or "allow" or "deny"))
        {
            failures.Add($"ConsulTestAgentOptions.Connect.DefaultIntentionPolicy must be 'allow', 'deny' or empty (follow the ACL default); got '{connect.DefaultIntentionPolicy}'.");
        }
    }
}
