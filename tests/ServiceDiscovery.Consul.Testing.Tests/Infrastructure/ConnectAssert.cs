// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace ServiceDiscovery.Consul.Testing.Tests.Infrastructure;

/// <summary>Reads Connect answers (roots, leaves) into certificates the way a TLS stack would use them.</summary>
public static class ConnectAssert
{
    /// <summary>The certificates of every root listed (the trust anchors, as Consul's Go SDK builds its pool).</summary>
    public static X509Certificate2Collection RootPool(JsonNode roots)
    {
        var pool = new X509Certificate2Collection();
        foreach (var root in roots["Roots"]!.AsArray())
        {
            pool.Add(X509Certificate2.CreateFromPem(root!["RootCert"]!.GetValue<string>()));
        }

        return pool;
    }

    /// <summary>Every certificate of a PEM bundle, in order.</summary>
    public static X509Certificate2Collection Bundle(string pem)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPem(pem);
        return bundle;
    }

    /// <summary>Whether <paramref name="leaf"/> chains to one of <paramref name="trust"/>, with the intermediates sent alongside it.</summary>
    public static bool Verifies(X509Certificate2 leaf, X509Certificate2Collection trust, X509Certificate2Collection intermediates, DateTime? at = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust);
        chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = at ?? TimeProvider.System.GetLocalNow().DateTime;
        return chain.Build(leaf);
    }

    /// <summary>Options of a test agent with ACLs on, a deny default and the management token <c>root</c>.</summary>
    public static ConsulTestAgentOptions AclOptions()
    {
        var options = new ConsulTestAgentOptions { NodeName = "node1" };
        options.Acl.Enabled = true;
        options.Acl.ManagementToken = "root";
        return options;
    }

    /// <summary>The agent's datacenter, read from <c>/v1/agent/self</c> (a real Consul may not be in <c>dc1</c>).</summary>
    public static async Task<string> DatacenterAsync(ConsulTarget consul) =>
        (await consul.GetAsync("/v1/agent/self")).Json["Config"]!["Datacenter"]!.GetValue<string>();
}
