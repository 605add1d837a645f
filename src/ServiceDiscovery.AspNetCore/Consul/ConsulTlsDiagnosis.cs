// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace ServiceDiscovery.AspNetCore.Consul;

/// <summary>
/// Turns a failed TLS connection to the agent into its cause, said first: an untrusted root (and which trust was
/// used), a name mismatch (and the expected name), a client certificate the agent refused, or an https address
/// pointed at a plain-HTTP agent.
/// </summary>
internal static class ConsulTlsDiagnosis
{
    /// <summary>
    /// The certificate validation the handler installs: accepts what the platform accepts (with <paramref name="tls"/>'s
    /// ServerName standing in for the address's host) and otherwise throws <see cref="RejectedException"/> naming the
    /// cause, which reaches the caller as the inner exception of the handshake failure.
    /// </summary>
    public static bool Validate(ConsulTlsOptions tls, string section, string targetHost, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var expected = string.IsNullOrWhiteSpace(tls.ServerName) ? targetHost : tls.ServerName;
        if (!string.IsNullOrWhiteSpace(tls.ServerName))
        {
            // SocketsHttpHandler verifies against the request's host; ServerName replaces it, so the name is checked here.
            errors &= ~SslPolicyErrors.RemoteCertificateNameMismatch;
            if (certificate is X509Certificate2 certificate2 && !certificate2.MatchesHostname(tls.ServerName))
            {
                errors |= SslPolicyErrors.RemoteCertificateNameMismatch;
            }
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0 || certificate is null)
        {
            throw new RejectedException("the agent sent no certificate");
        }

        var cert = certificate as X509Certificate2;
        var subject = cert?.Subject ?? certificate.Subject;
        if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            var statuses = chain?.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToArray() ?? [];
            var trust = string.IsNullOrWhiteSpace(tls.CaFile) ? "the system trust store" : $"the CA file '{tls.CaFile}' ({section}:Tls:CaFile / CONSUL_CACERT)";
            if (statuses.Length == 0 || statuses.Any(s => s is X509ChainStatusFlags.UntrustedRoot or X509ChainStatusFlags.PartialChain))
            {
                throw new RejectedException(
                    $"untrusted root: the agent's certificate '{subject}' (issued by '{certificate.Issuer}') does not chain to {trust}. Point {section}:Tls:CaFile at the CA that signed the agent's certificate");
            }

            if (statuses.Contains(X509ChainStatusFlags.NotTimeValid) && cert is not null)
            {
                throw new RejectedException(
                    $"the agent's certificate '{subject}' is not valid now (valid from {cert.NotBefore:u} to {cert.NotAfter:u})");
            }

            throw new RejectedException($"the agent's certificate '{subject}' failed chain validation against {trust}: {string.Join(", ", statuses)}");
        }

        var names = cert is null ? [] : DnsNames(cert);
        throw new RejectedException(
            $"certificate name mismatch: expected '{expected}'{(string.IsNullOrWhiteSpace(tls.ServerName) ? " (the address's host)" : $" ({section}:Tls:ServerName)")} but the agent's certificate '{subject}' is for {(names.Count == 0 ? "no DNS name" : string.Join(", ", names.Select(n => $"'{n}'")))}. Set {section}:Tls:ServerName (CONSUL_TLS_SERVER_NAME) to a name in the certificate, or connect by that name");
    }

    /// <summary>The cause of a failed https connection, or <see langword="null"/> when it is not a TLS failure.</summary>
    public static string? Describe(Exception error, Uri address, ConsulTlsOptions tls, string section)
    {
        if (!string.Equals(address.Scheme, Uri.UriSchemeHttps, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is RejectedException rejected)
            {
                return "TLS: " + rejected.Message;
            }
        }

        var handshake = Find<AuthenticationException>(error);
        var message = handshake?.Message ?? string.Empty;
        if (handshake is not null && (message.Contains("frame", StringComparison.OrdinalIgnoreCase) || message.Contains("unexpected EOF", StringComparison.OrdinalIgnoreCase) && handshake.InnerException is null))
        {
            return $"TLS: the agent answered plain HTTP: use http:// or enable TLS on the agent (the handshake with {address.Authority} failed: {message.TrimEnd('.')})";
        }

        var alert = handshake is not null && message.Contains("alert", StringComparison.OrdinalIgnoreCase);
        var endedAfterHandshake = handshake is null && Find<HttpIOException>(error) is { HttpRequestError: HttpRequestError.ResponseEnded };
        if (alert || endedAfterHandshake)
        {
            return string.IsNullOrWhiteSpace(tls.ClientCertificateFile)
                ? $"TLS: the agent closed the connection after the handshake{(alert ? $" ({message})" : string.Empty)}; it likely requires a client certificate (verify_incoming): set {section}:Tls:ClientCertificateFile and ClientKeyFile (CONSUL_CLIENT_CERT / CONSUL_CLIENT_KEY)"
                : $"TLS: client certificate refused by the agent{(alert ? $" ({message})" : string.Empty)}: the agent does not trust '{tls.ClientCertificateFile}' ({section}:Tls:ClientCertificateFile); use a certificate signed by the agent's CA";
        }

        return handshake is null ? null : $"TLS handshake with {address.Authority} failed: {message}";
    }

    private static T? Find<T>(Exception error)
        where T : Exception
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            if (current is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static List<string> DnsNames(X509Certificate2 certificate)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                names.AddRange(san.EnumerateDnsNames());
            }
        }

        return names;
    }

    /// <summary>The agent's certificate was refused; the message is the cause.</summary>
    internal sealed class RejectedException(string message) : AuthenticationException(message);
}
