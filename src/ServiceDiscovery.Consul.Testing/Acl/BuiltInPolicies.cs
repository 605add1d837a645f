// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.Consul.Testing.Acl;

/// <summary>The policies every Consul cluster has from bootstrap on (agent/structs/acl.go), with their fixed IDs.</summary>
internal static class BuiltInPolicies
{
    public const string GlobalManagementId = "00000000-0000-0000-0000-000000000001";
    public const string GlobalManagementName = "global-management";
    public const string GlobalReadOnlyId = "00000000-0000-0000-0000-000000000002";
    public const string GlobalReadOnlyName = "builtin/global-read-only";

    /// <summary>The rules of <c>global-management</c>: write on everything.</summary>
    public static string GlobalManagementText { get; } = AllAt("write");

    /// <summary>The rules of <c>builtin/global-read-only</c>: read on everything.</summary>
    public static string GlobalReadOnlyText { get; } = AllAt("read");

    private static string AllAt(string level) => $$"""
        acl = "{{level}}"
        agent_prefix "" {
          policy = "{{level}}"
        }
        event_prefix "" {
          policy = "{{level}}"
        }
        key_prefix "" {
          policy = "{{level}}"
        }
        keyring = "{{level}}"
        node_prefix "" {
          policy = "{{level}}"
        }
        operator = "{{level}}"
        mesh = "{{level}}"
        peering = "{{level}}"
        query_prefix "" {
          policy = "{{level}}"
        }
        service_prefix "" {
          policy = "{{level}}"
          intentions = "{{level}}"
        }
        session_prefix "" {
          policy = "{{level}}"
        }
        """;
}
