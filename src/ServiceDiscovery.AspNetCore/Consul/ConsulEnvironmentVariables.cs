// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>The variables Consul's CLI and Go client read (api/api.go), and how they parse them.</summary>
internal static class ConsulEnvironmentVariables
{
    public const string HttpAddr = "CONSUL_HTTP_ADDR";
    public const string HttpToken = "CONSUL_HTTP_TOKEN";
    public const string HttpTokenFile = "CONSUL_HTTP_TOKEN_FILE";
    public const string HttpSsl = "CONSUL_HTTP_SSL";
    public const string HttpSslVerify = "CONSUL_HTTP_SSL_VERIFY";
    public const string CaCert = "CONSUL_CACERT";
    public const string ClientCert = "CONSUL_CLIENT_CERT";
    public const string ClientKey = "CONSUL_CLIENT_KEY";
    public const string TlsServerName = "CONSUL_TLS_SERVER_NAME";

    /// <summary>Go's <c>strconv.ParseBool</c>: <see langword="null"/> for anything it rejects (the empty string included).</summary>
    public static bool? ParseBool(string? value) => value switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => null,
    };

    /// <summary>The variable's value, or <see langword="null"/> when unset or blank.</summary>
    public static string? Get(this IConsulEnvironment environment, string name)
    {
        var value = environment.GetEnvironmentVariable(name)?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }
}
