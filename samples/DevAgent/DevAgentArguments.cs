// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using ServiceDiscovery.Consul.Testing;

namespace DevAgent;

/// <summary>The command line of the dev agent, turned into <see cref="ConsulTestAgentOptions"/>.</summary>
internal static class DevAgentArguments
{
    /// <summary>The live page's port when none is given; a free one is used instead when it is taken.</summary>
    public const int DefaultUiPort = 8501;

    public const string Usage = """
        Usage: dotnet run --project samples/DevAgent -- [options]

          --port N                      Port on 127.0.0.1 (default 8500; 0 picks a free one)
          --datacenter NAME             Datacenter (default dc1)
          --node NAME                   Node name (default: the host name; with --nodes: node-1, node-2…)
          --nodes N                     Start a cluster of N agents sharing one datacenter (default 1): agent 1
                                        is the server, each listens on its own 127.0.0.x where the system allows
          --datacenters A,B,…           Start several datacenters federated over a simulated WAN, each with --nodes
                                        agents, 10 ms apart in the order given; the first is the primary
          --acl-default-policy P        allow | deny; turns ACLs on (default when on: deny)
          --acl-management-token S      Management token secret; turns ACLs on
          --acl-token S=RULES           A token with rules, e.g. app-secret=service:web:write,key:config/:read
                                        (resource service|key|node|agent|operator, a name prefix, access read|write|deny);
                                        repeatable; turns ACLs on
          --acl-rules-file S=PATH       A token whose policy is the rules in PATH (Consul's rule language, HCL or
                                        JSON), e.g. app-secret=./app-policy.hcl; repeatable; turns ACLs on
          --reap-interval D             Critical-service reaper interval (default 30s)
          --deregister-minimum D        Floor for DeregisterCriticalServiceAfter (default 1m)
          --output-sync-delay D         Delay of output-only check changes in /v1/health (default 0s)
          --enable-script-checks        Run script checks (Args), as Consul's enable_script_checks
          --prometheus-retention-time D Serve /v1/agent/metrics?format=prometheus (default 0s: 415, as -dev)
          --leaf-cert-ttl D             Lifetime of Connect leaf certificates (default 72h; as short as 2m here)
          --leaf-reissue-jitter D       Longest delay before a leaf is reissued after a root change (default 30s)
          --default-intention-policy P  allow | deny for calls no intention matches (default: the ACL default)
          --no-connect                  Connect disabled: CA endpoints answer Consul's 500
          --ui-port N                   Port of the /ui page on 127.0.0.1 (default 8501; 0 picks a free one)
          --no-ui                       Do not serve the /ui page
          --help                        Show this help

        Durations are Go style: 500ms, 30s, 1m30s.
        """;

    public static (ConsulTestAgentOptions Options, int? UiPort, int Nodes, IReadOnlyList<string> Datacenters) Parse(IReadOnlyList<string> args)
    {
        var options = new ConsulTestAgentOptions { Port = 8500 };
        int? uiPort = DefaultUiPort;
        var nodes = 1;
        string[] datacenters = [];
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{arg} needs a value.");
            switch (arg)
            {
                case "--port":
                    options.Port = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "--nodes":
                    nodes = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                    if (nodes is < 1 or > ConsulTestCluster.MaxAgents)
                    {
                        throw new ArgumentException($"--nodes must be between 1 and {ConsulTestCluster.MaxAgents}; got {nodes}.");
                    }

                    break;
                case "--datacenter":
                    options.Datacenter = Value();
                    break;
                case "--node":
                    options.NodeName = Value();
                    break;
                case "--acl-default-policy":
                    var policy = Value();
                    options.Acl.Enabled = true;
                    options.Acl.DefaultAllow = policy switch
                    {
                        "allow" => true,
                        "deny" => false,
                        _ => throw new ArgumentException($"--acl-default-policy must be allow or deny; got '{policy}'."),
                    };
                    break;
                case "--acl-management-token":
                    options.Acl.Enabled = true;
                    options.Acl.ManagementToken = Value();
                    break;
                case "--acl-token":
                    options.Acl.Enabled = true;
                    options.Acl.Tokens.Add(ParseToken(Value()));
                    break;
                case "--acl-rules-file":
                    options.Acl.Enabled = true;
                    options.Acl.Tokens.Add(ParseRulesFile(Value()));
                    break;
                case "--reap-interval":
                    options.ReapInterval = ParseDuration(arg, Value());
                    break;
                case "--deregister-minimum":
                    options.DeregisterCriticalServiceMinimum = ParseDuration(arg, Value());
                    break;
                case "--output-sync-delay":
                    options.CheckOutputSyncDelay = ParseDuration(arg, Value());
                    break;
                case "--enable-script-checks":
                    options.EnableScriptChecks = true;
                    break;
                case "--prometheus-retention-time":
                    options.PrometheusRetentionTime = ParseDuration(arg, Value());
                    break;
                case "--datacenters":
                    datacenters = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (datacenters.Length == 0)
                    {
                        throw new ArgumentException("--datacenters needs names separated by commas, e.g. dc1,dc2.");
                    }
                    break;
                case "--leaf-cert-ttl":
                    options.Connect.LeafCertTtl = ParseDuration(arg, Value());
                    break;
                case "--leaf-reissue-jitter":
                    options.Connect.LeafReissueJitter = ParseDuration(arg, Value());
                    break;
                case "--default-intention-policy":
                    options.Connect.DefaultIntentionPolicy = Value();
                    break;
                case "--no-connect":
                    options.Connect.Enabled = false;
                    break;
                case "--ui-port":
                    uiPort = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "--no-ui":
                    uiPort = null;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{arg}'.");
            }
        }

        return (options, uiPort, nodes, datacenters);
    }

    private static ConsulTestAclToken ParseToken(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        var token = new ConsulTestAclToken { SecretId = eq < 0 ? text : text[..eq] };
        if (eq < 0)
        {
            return token;
        }

        foreach (var rule in text[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = rule.Split(':');
            if (parts.Length != 3)
            {
                throw new ArgumentException($"ACL rule '{rule}' must be resource:prefix:access, e.g. service:web:write.");
            }

            token.Rules.Add(new ConsulTestAclRule(
                Enum.Parse<ConsulTestAclResource>(parts[0], ignoreCase: true),
                parts[1],
                Enum.Parse<ConsulTestAclAccess>(parts[2], ignoreCase: true)));
        }

        return token;
    }

    private static ConsulTestAclToken ParseRulesFile(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == text.Length - 1)
        {
            throw new ArgumentException($"--acl-rules-file takes SECRET=PATH, e.g. app-secret=./app-policy.hcl; got '{text}'.");
        }

        var path = text[(eq + 1)..];
        if (!File.Exists(path))
        {
            throw new ArgumentException($"--acl-rules-file: no file at '{Path.GetFullPath(path)}'.");
        }

        return new ConsulTestAclToken { SecretId = text[..eq], PolicyRules = File.ReadAllText(path) };
    }

    private static TimeSpan ParseDuration(string option, string text)
    {
        var value = text.TrimEnd('s', 'm', 'h');
        var unit = text[value.Length..];
        if (text.EndsWith("ms", StringComparison.Ordinal))
        {
            return TimeSpan.FromMilliseconds(double.Parse(text[..^2], CultureInfo.InvariantCulture));
        }

        var number = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch
        {
            "s" => TimeSpan.FromSeconds(number),
            "m" => TimeSpan.FromMinutes(number),
            "h" => TimeSpan.FromHours(number),
            _ => throw new ArgumentException($"{option} takes a duration such as 500ms, 30s or 1m; got '{text}'."),
        };
    }
}
