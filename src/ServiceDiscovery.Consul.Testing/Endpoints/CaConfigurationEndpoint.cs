// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.Http;
using ServiceDiscovery.Consul.Testing.Json;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Endpoints;

/// <summary>
/// <c>GET</c> and <c>PUT /v1/connect/ca/configuration</c> (agent/connect_ca_endpoint.go, leader_connect_ca.go
/// <c>UpdateConfiguration</c>), both needing <c>operator:write</c>. A PUT identical to the current configuration does
/// nothing; a TTL-only change keeps the root; a new key, root, key type or size rotates: a new active root,
/// cross-signed by the old key unless <c>ForceWithoutCrossSigning</c>, the old root listed inactive until pruned.
/// </summary>
internal static class CaConfigurationEndpoint
{
    private static readonly Dictionary<string, string> Fields = StrictObject.Fields(
        ["ClusterID"], ["Provider"], ["Config"], ["State"], ["ForceWithoutCrossSigning"], ["CreateIndex"], ["ModifyIndex"]);

    public static async Task GetAsync(AgentRequest r)
    {
        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await RequireOperatorWriteAsync(r, authorizer).ConfigureAwait(false)
            || !await ConnectCaEndpoints.RequireEnabledAsync(r).ConfigureAwait(false))
        {
            return;
        }

        JsonObject json;
        ulong index;
        lock (r.Store.Sync)
        {
            var ca = r.Store.ConnectCa(r.Options.Connect);
            json = ConnectJson.Configuration(ca);
            index = ca.ConfigModifyIndex;
        }

        r.Response.Headers["X-Consul-Index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Responses.WriteJsonAsync(r, w => json.WriteTo(w)).ConfigureAwait(false);
    }

    public static async Task PutAsync(AgentRequest r)
    {
        string provider;
        JsonObject config;
        bool force;
        try
        {
            using var document = JsonBody.Parse(await r.ReadBodyAsync().ConfigureAwait(false));
            var body = StrictObject.Read(document.RootElement, "CAConfiguration", Fields);
            provider = body.GetString("Provider");
            config = body.Raw("Config") is { ValueKind: JsonValueKind.Object } raw ? JsonNode.Parse(raw.GetRawText())!.AsObject() : [];
            force = body.GetBool("ForceWithoutCrossSigning");
        }
        catch (JsonDecodeException ex)
        {
            await Responses.WriteErrorAsync(r.Context, 400, $"Request decode failed: {ex.Message}").ConfigureAwait(false);
            return;
        }

        if (!await ReadGuards.CheckDatacenterAsync(r).ConfigureAwait(false)
            || await r.AuthorizeAsync().ConfigureAwait(false) is not { } authorizer
            || !await RequireOperatorWriteAsync(r, authorizer).ConfigureAwait(false)
            || !await ConnectCaEndpoints.RequireEnabledAsync(r).ConfigureAwait(false))
        {
            return;
        }

        var settings = CaConfigurationReader.Read(config, out var error);
        error ??= provider != "consul" ? $"unknown CA provider \"{provider}\" (the test agent has only the built-in \"consul\" provider)" : null;
        CaSigningKey? key = null;
        X509Certificate2? root = null;
        if (error is null && settings.PrivateKey.Length > 0)
        {
            error = TryReadKeyMaterial(settings, out key, out root);
        }

        if (error is not null)
        {
            key?.Dispose();
            root?.Dispose();
            await Responses.WriteErrorAsync(r.Context, 500, error).ConfigureAwait(false);
            return;
        }

        lock (r.Store.Sync)
        {
            var ca = r.Store.ConnectCa(r.Options.Connect);
            if (!JsonNode.DeepEquals(ca.Config, config) || ca.ForceWithoutCrossSigning != force)
            {
                ca.Apply(config, settings, force, key, root, r.Store.Time.GetUtcNow(), r.Store.NextIndex());
                r.Store.Changes.Publish();
            }
            else
            {
                key?.Dispose();
                root?.Dispose();
            }
        }

        Responses.WriteEmpty(r.Context);
    }

    private static async Task<bool> RequireOperatorWriteAsync(AgentRequest r, Acl.Authorizer authorizer)
    {
        if (authorizer.Allows(ConsulTestAclResource.Operator, string.Empty, ConsulTestAclAccess.Write))
        {
            return true;
        }

        await Responses.WriteErrorAsync(r.Context, 403, authorizer.DeniedUnnamed("operator:write")).ConfigureAwait(false);
        return false;
    }

    /// <summary>Reads a provided key (and root): the texts name the setting, never the key material.</summary>
    private static string? TryReadKeyMaterial(CaSettings settings, out CaSigningKey? key, out X509Certificate2? root)
    {
        key = null;
        root = null;
        try
        {
            key = CaSigningKey.FromPem(settings.PrivateKey);
        }
        catch (CryptographicException)
        {
            return "error parsing private key: Config.PrivateKey must be a PEM EC or RSA private key";
        }

        if (settings.RootCert.Length == 0)
        {
            return null;
        }

        try
        {
            root = X509Certificate2.CreateFromPem(settings.RootCert);
        }
        catch (CryptographicException)
        {
            return "error parsing root cert: Config.RootCert must be a PEM certificate";
        }

        return root.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.PublicKey.ExportSubjectPublicKeyInfo())
            ? null
            : "Config.RootCert does not match Config.PrivateKey: the root certificate must carry the private key's public key";
    }
}
