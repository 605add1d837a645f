// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using static ServiceDiscovery.AspNetCore.Consul.ConsulEnvironmentVariables;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// Fills what configuration left empty from Consul's own variables, as Consul's CLI reads them, then the built-in
/// default address. Runs after every <c>Configure</c>, so appsettings and code always win over the environment.
/// </summary>
internal sealed class ConsulClientEnvironmentDefaults(IConsulEnvironment environment)
{
    public void Apply(ConsulClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ssl = ParseBool(environment.Get(HttpSsl)) == true;
        options.Address = string.IsNullOrWhiteSpace(options.Address)
            ? AddressFromEnvironment(ssl)
            : WithScheme(options.Address.Trim(), ssl);

        if (string.IsNullOrEmpty(options.Token) && string.IsNullOrWhiteSpace(options.TokenFile) && !string.IsNullOrWhiteSpace(environment.Get(HttpTokenFile)))
        {
            // Re-read on change by the client, like Consul:TokenFile.
            options.TokenFile = environment.Get(HttpTokenFile);
        }

        if (string.IsNullOrEmpty(options.Token))
        {
            options.Token = TokenFromEnvironment();
        }

        var tls = options.Tls;

        // Only an explicit, parseable "false" turns verification off. Go treats an unparseable value as false too;
        // that quirk silently disables TLS verification, so the validator reports it instead.
        if (ParseBool(environment.Get(HttpSslVerify)) == false)
        {
            tls.InsecureSkipVerify = true;
        }

        tls.CaFile = Fill(tls.CaFile, CaCert);
        tls.ClientCertificateFile = Fill(tls.ClientCertificateFile, ClientCert);
        tls.ClientKeyFile = Fill(tls.ClientKeyFile, ClientKey);
        tls.ServerName = Fill(tls.ServerName, TlsServerName);
    }

    /// <summary>
    /// <c>CONSUL_HTTP_ADDR</c> with or without a scheme (<see cref="WithScheme"/>). <c>CONSUL_HTTP_SSL=true</c> also makes
    /// an explicit <c>http://</c> in that variable https, as the Go client does ("never revert to http if TLS was
    /// explicitly requested"); both come from the environment, so neither outranks the other.
    /// </summary>
    private string AddressFromEnvironment(bool ssl)
    {
        var address = WithScheme(environment.Get(HttpAddr) ?? ConsulClientOptions.DefaultAddress, ssl);
        return ssl && address.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "https://" + address["http://".Length..] : address;
    }

    /// <summary>
    /// The one rule for an address without a scheme, wherever it comes from (<c>Consul:Address</c> or
    /// <c>CONSUL_HTTP_ADDR</c>), as Consul's CLI and Go client read it: no <c>://</c> means http, or https when
    /// <c>CONSUL_HTTP_SSL</c> is true. An explicit scheme in configuration is kept (configuration wins over the environment).
    /// </summary>
    internal static string WithScheme(string address, bool ssl)
        => address.Contains("://", StringComparison.Ordinal) ? address : (ssl ? "https://" : "http://") + address;

    /// <summary>A non-empty <c>CONSUL_HTTP_TOKEN_FILE</c> wins over <c>CONSUL_HTTP_TOKEN</c>, as in the Go client's <c>NewClient</c>.</summary>
    private string? TokenFromEnvironment()
    {
        if (environment.Get(HttpTokenFile) is { } path && File.Exists(path))
        {
            try
            {
                var token = File.ReadAllText(path).Trim();
                if (token.Length > 0)
                {
                    return token;
                }
            }
            catch (IOException)
            {
                // Reported by the validator, which names the variable; post-configuration cannot fail usefully.
            }
            catch (UnauthorizedAccessException)
            {
                // Same.
            }
        }

        return environment.Get(HttpToken);
    }

    private string? Fill(string? value, string variable) => string.IsNullOrWhiteSpace(value) ? environment.Get(variable) : value;
}
