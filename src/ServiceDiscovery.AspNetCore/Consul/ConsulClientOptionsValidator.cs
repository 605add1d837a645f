// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using static ServiceDiscovery.AspNetCore.Consul.ConsulEnvironmentVariables;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// Validates how to reach Consul (Address, Timeout, Tls and the CLI variables they fall back to) at start-up, so a bad
/// setting fails <c>app.Run()</c> with a message that names the key and the fix, not the first request. Keys are
/// named under <c>section</c>, the configuration path the settings were bound from.
/// </summary>
internal sealed class ConsulClientOptionsValidator(IConsulEnvironment environment)
{
    /// <summary>The longest per-request timeout accepted (blocking queries add their wait, at most 10 minutes, on top).</summary>
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    public void Validate(string section, ConsulClientOptions options, List<string> failures)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(failures);
        ValidateAddress(section, options.Address, failures);

        if (options.Timeout <= TimeSpan.Zero)
        {
            failures.Add($"{section}:Timeout must be greater than zero; got '{options.Timeout}'. Use e.g. '00:00:10'; blocking queries add their wait to it.");
        }
        else if (options.Timeout > MaxTimeout)
        {
            failures.Add($"{section}:Timeout '{options.Timeout}' is longer than the limit of '{MaxTimeout}': a request that may hang that long never reports a dead agent. Use at most '{MaxTimeout}', e.g. '00:00:10'.");
        }

        ValidateTls(section, options.Tls, failures);
        ValidateEnvironment(section, options, failures);
    }

    private static void ValidateAddress(string section, string? address, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(address))
        {
            // Post-configuration fills the default; an empty value here means it did not run.
            failures.Add($"{section}:Address is empty. Set it to the agent's HTTP address, e.g. '{ConsulClientOptions.DefaultAddress}', or set {HttpAddr}.");
            return;
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            failures.Add($"{section}:Address '{address}' is not an absolute URL. Use e.g. '{ConsulClientOptions.DefaultAddress}' (IPv6: 'http://[::1]:8500').");
            return;
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            // Never echo the address: its user info may be a password.
            failures.Add($"{section}:Address must not contain user info (user:password@). Put the ACL token in {section}:Token or CONSUL_HTTP_TOKEN.");
            return;
        }

        if (uri.Scheme is not ("http" or "https"))
        {
            failures.Add(uri.Scheme == "unix"
                ? $"{section}:Address '{address}' is a unix socket, which is not supported. Expose the agent's HTTP API on TCP (addresses.http) and use e.g. '{ConsulClientOptions.DefaultAddress}'."
                : $"{section}:Address '{address}' uses the unsupported scheme '{uri.Scheme}'. Use an http:// or https:// URL, e.g. 'http://{HostAndPort(address)}'.");
            return;
        }

        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            failures.Add($"{section}:Address '{address}' must be scheme, host and port only, without a path, query or fragment (the client adds /v1/...). Use e.g. '{uri.GetLeftPart(UriPartial.Authority)}'.");
        }
    }

    private static void ValidateTls(string section, ConsulTlsOptions tls, List<string> failures)
    {
        if (HasValue(tls.CaFile) && FileExists($"{section}:Tls:CaFile", tls.CaFile!, "the PEM file of the CA that signed the agent's certificate", failures))
        {
            try
            {
                var roots = new X509Certificate2Collection();
                roots.ImportFromPemFile(tls.CaFile!);
                if (roots.Count == 0)
                {
                    failures.Add($"{section}:Tls:CaFile '{tls.CaFile}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
                }
            }
            catch (CryptographicException ex)
            {
                failures.Add($"{section}:Tls:CaFile '{tls.CaFile}' is not a readable PEM certificate: {ex.Message}");
            }
        }

        var hasCert = HasValue(tls.ClientCertificateFile);
        var hasKey = HasValue(tls.ClientKeyFile);
        if (hasKey && !hasCert)
        {
            failures.Add($"{section}:Tls:ClientKeyFile is set but {section}:Tls:ClientCertificateFile is not. Set both (or {ClientCert} and {ClientKey}).");
        }

        if (hasCert
            && FileExists($"{section}:Tls:ClientCertificateFile", tls.ClientCertificateFile!, "a PEM client certificate", failures)
            && (!hasKey || FileExists($"{section}:Tls:ClientKeyFile", tls.ClientKeyFile!, "the PEM private key of the client certificate", failures)))
        {
            try
            {
                using var certificate = X509Certificate2.CreateFromPemFile(tls.ClientCertificateFile!, hasKey ? tls.ClientKeyFile : null);
            }
            catch (CryptographicException ex)
            {
                failures.Add($"{section}:Tls:ClientCertificateFile '{tls.ClientCertificateFile}' and {section}:Tls:ClientKeyFile '{tls.ClientKeyFile}' do not form a PEM certificate with its private key: {ex.Message} Without ClientKeyFile, the key must be in the certificate file.");
            }
        }
    }

    private void ValidateEnvironment(string section, ConsulClientOptions options, List<string> failures)
    {
        foreach (var variable in new[] { HttpSsl, HttpSslVerify })
        {
            if (environment.Get(variable) is { } value && ParseBool(value) is null)
            {
                failures.Add($"{variable} is '{value}', which is not a boolean. Use true or false (1/0, t/f also work).");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.TokenFile) && options.TokenFile != environment.Get(HttpTokenFile))
        {
            FileExists($"{section}:TokenFile", options.TokenFile, "a file holding the ACL token", failures);
        }

        if (environment.Get(HttpTokenFile) is { } tokenFile
            && !File.Exists(tokenFile)
            && (string.IsNullOrEmpty(options.Token) || options.Token == environment.Get(HttpToken)))
        {
            failures.Add($"{HttpTokenFile} points to '{tokenFile}', which does not exist. Fix the path, unset it, or set {section}:Token.");
        }
    }

    private static bool FileExists(string key, string path, string what, List<string> failures)
    {
        if (File.Exists(path))
        {
            return true;
        }

        failures.Add($"{key} '{path}' does not exist. Set it to {what}, or remove the setting.");
        return false;
    }

    /// <summary>What follows the scheme, as written (keeps a port that happens to be the scheme's default).</summary>
    private static string HostAndPort(string address)
    {
        var separator = address.IndexOf("://", StringComparison.Ordinal);
        var rest = separator < 0 ? address : address[(separator + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? rest : rest[..slash];
    }

    private static bool HasValue(string? value) => !string.IsNullOrWhiteSpace(value);
}
