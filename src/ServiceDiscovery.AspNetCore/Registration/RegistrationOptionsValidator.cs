// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServiceDiscovery.AspNetCore.Internal;

namespace ServiceDiscovery.AspNetCore.Registration;

/// <summary>
/// Validates the registration part of <see cref="ConsulOptions"/> (<c>Consul:Service</c>, <c>Consul:Check</c>,
/// <c>Consul:Registration</c>) at start-up. Each failure names the configuration key, the bad value and the fix, and
/// catches what Consul would reject at registration time (a 400 in the background is far harder to notice than a
/// failed start).
/// </summary>
internal sealed partial class RegistrationOptionsValidator(IHostEnvironment? environment = null, ConsulOptionsSection? section = null) : IValidateOptions<ConsulOptions>
{
    private readonly string _section = (section ?? ConsulOptionsSection.Default).Path;

    /// <summary>Consul's meta limits (docs/consul-http-api.md §1): 64 pairs, keys of 128 characters, values of 512.</summary>
    private const int MaxMetaPairs = 64;
    private const int MaxMetaKeyLength = 128;
    private const int MaxMetaValueLength = 512;

    /// <summary>The shortest TTL and anti-entropy period: anything shorter makes the background loop spin against the agent.</summary>
    private static readonly TimeSpan MinimumPeriod = TimeSpan.FromSeconds(1);

    public ValidateOptionsResult Validate(string? name, ConsulOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ValidateService(options.Service, options.Registration.Enabled, failures);
        ValidateHealthCheck(options.Check, failures);
        ValidateRegistration(options.Registration, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateService(ConsulServiceOptions service, bool registering, List<string> failures)
    {
        if (service.Name is not null)
        {
            if (string.IsNullOrWhiteSpace(service.Name))
            {
                failures.Add($"{_section}:Service:Name is blank. Set it to the name other services look this one up by (e.g. 'orders'), or remove it to use the application name.");
            }
            else if (!ConsulNameRules.IsValidServiceName(service.Name))
            {
                failures.Add($"{_section}:Service:Name '{service.Name}' cannot be reached as http://{service.Name}/ or through Consul's DNS: {ConsulNameRules.ServiceNameRule}.");
            }
        }
        else if (registering && ConsulNames.ToServiceName(environment?.ApplicationName).Length == 0)
        {
            failures.Add($"{_section}:Service:Name is not set and cannot be derived from the application name '{environment?.ApplicationName}'. Set {_section}:Service:Name, e.g. 'orders'.");
        }

        if (service.Id is not null && string.IsNullOrWhiteSpace(service.Id))
        {
            failures.Add($"{_section}:Service:Id is blank. Remove it to use '{{name}}-{{host}}-{{port}}', or set a unique id.");
        }

        ValidateAddress(service.Address, failures);

        if (service.Port is { } port && port is < 1 or > 65535)
        {
            failures.Add($"{_section}:Service:Port must be between 1 and 65535; got '{port}'. Remove it to register the port the server is bound to.");
        }

        for (var i = 0; i < service.Tags.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(service.Tags[i]))
            {
                failures.Add($"{_section}:Service:Tags:{i} is blank. Remove it or give it a value.");
            }
            else if (!ConsulNameRules.IsValidTag(service.Tags[i]))
            {
                failures.Add($"{_section}:Service:Tags:{i} '{service.Tags[i]}' cannot be matched by discovery: {ConsulNameRules.TagRule}.");
            }
        }

        ValidateMeta(service.Meta, failures);

        if (service.Weights.Passing <= 0)
        {
            failures.Add($"{_section}:Service:Weights:Passing must be greater than zero; got '{service.Weights.Passing}'. Consul's default is 1.");
        }

        if (service.Weights.Warning < 0)
        {
            failures.Add($"{_section}:Service:Weights:Warning must be zero or more; got '{service.Weights.Warning}'. Consul's default is 1.");
        }

        for (var i = 0; i < service.PreferredNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(service.PreferredNetworks[i], out _))
            {
                failures.Add($"{_section}:Service:PreferredNetworks:{i} '{service.PreferredNetworks[i]}' is not a network in CIDR notation. Use e.g. '10.0.0.0/8' or 'fd00::/8'.");
            }
        }
    }

    private void ValidateAddress(string? address, List<string> failures)
    {
        if (address is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(address))
        {
            failures.Add($"{_section}:Service:Address is blank. Remove it to register the address the server is bound to, or set the address others reach this app at.");
            return;
        }

        if (address.Contains("://", StringComparison.Ordinal) || address.Contains('/', StringComparison.Ordinal))
        {
            failures.Add($"{_section}:Service:Address '{address}' must be a host name or IP address only, without scheme or path. Use e.g. '10.0.0.5' and set the port in {_section}:Service:Port.");
            return;
        }

        var bare = address.StartsWith('[') && address.EndsWith(']') ? address[1..^1] : address;
        if (IPAddress.TryParse(bare, out var ip))
        {
            if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            {
                failures.Add($"{_section}:Service:Address '{address}' is a wildcard, which Consul rejects ('Invalid service address'). Set the address others reach this app at, or remove it to resolve the machine's address.");
            }

            return;
        }

        // Host names as containers and DNS use them: letters, digits, '-', '.', and '_' (Docker Compose names).
        if (!bare.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
        {
            failures.Add($"{_section}:Service:Address '{address}' is neither an IP address nor a host name. Use e.g. '10.0.0.5' or 'orders.internal'.");
        }
    }

    private void ValidateMeta(IDictionary<string, string> meta, List<string> failures)
    {
        // version and scheme are added when absent; they count towards Consul's limit.
        var total = meta.Count + (meta.ContainsKey(RegistrationBuilder.VersionMetaKey) ? 0 : 1) + (meta.ContainsKey(RegistrationBuilder.SchemeMetaKey) ? 0 : 1);
        if (total > MaxMetaPairs)
        {
            failures.Add($"{_section}:Service:Meta has {meta.Count} entries; Consul accepts at most {MaxMetaPairs} pairs including the 'version' and 'scheme' added automatically. Remove some.");
        }

        foreach (var (key, value) in meta)
        {
            if (!MetaKeyPattern().IsMatch(key))
            {
                failures.Add($"{_section}:Service:Meta:{key} has a key Consul rejects: use only letters, digits, '_' and '-'.");
            }
            else if (key.Length > MaxMetaKeyLength)
            {
                failures.Add($"{_section}:Service:Meta:{key} has a key longer than Consul's limit of {MaxMetaKeyLength} characters.");
            }
            else if (key.StartsWith("consul-", StringComparison.OrdinalIgnoreCase))
            {
                failures.Add($"{_section}:Service:Meta:{key} uses the prefix 'consul-', which Consul reserves for internal use. Rename the key.");
            }

            if (value is { Length: > MaxMetaValueLength })
            {
                failures.Add($"{_section}:Service:Meta:{key} has a value of {value.Length} characters; Consul's limit is {MaxMetaValueLength}.");
            }
        }
    }

    private void ValidateHealthCheck(ConsulCheckOptions check, List<string> failures)
    {
        if (check.Kind is not (ConsulCheckKind.Http or ConsulCheckKind.Grpc or ConsulCheckKind.Ttl or ConsulCheckKind.None))
        {
            failures.Add($"{_section}:Check:Kind '{check.Kind}' is not a kind for the app's own check. Use Http, Grpc, Ttl or None.");
        }

        if (check.GrpcService is { Length: > 0 } grpcService && (grpcService.Trim().Length == 0 || grpcService.Any(c => char.IsWhiteSpace(c) || c == '/')))
        {
            failures.Add($"{_section}:Check:GrpcService '{grpcService}' is not a gRPC service name. Use the full name from the .proto file, e.g. 'catalog.v1.Catalog', or leave it empty for the whole server.");
        }

        if (string.IsNullOrEmpty(check.Path) || check.Path[0] != '/' || check.Path.Contains('?', StringComparison.Ordinal) || check.Path.Contains('#', StringComparison.Ordinal))
        {
            failures.Add($"{_section}:Check:Path must be a path starting with '/', without query or fragment; got '{check.Path}'. Use e.g. '/health'.");
        }

        if (check.Kind is ConsulCheckKind.Http or ConsulCheckKind.Grpc)
        {
            ValidateInterval($"{_section}:Check", check.Interval, check.Timeout, failures);
        }

        if (check.Kind == ConsulCheckKind.Ttl && check.Ttl < MinimumPeriod)
        {
            failures.Add($"{_section}:Check:Ttl must be at least 1 second; got '{Format(check.Ttl)}'. Use e.g. '00:00:30': the app reports every third of it.");
        }

        DurationLimits.CheckAtMost($"{_section}:Check:Ttl", check.Ttl, DurationLimits.Period, failures);

        if (check.DeregisterCriticalServiceAfter < TimeSpan.Zero)
        {
            failures.Add($"{_section}:Check:DeregisterCriticalServiceAfter must not be negative; got '{Format(check.DeregisterCriticalServiceAfter)}'. Use e.g. '00:01:00', or '00:00:00' to never remove the service.");
        }

        for (var i = 0; i < check.AdditionalChecks.Count; i++)
        {
            ValidateAdditionalCheck(i, check.AdditionalChecks[i], failures);
        }
    }

    private void ValidateAdditionalCheck(int index, ConsulAdditionalCheckOptions check, List<string> failures)
    {
        var key = FormattableString.Invariant($"{_section}:Check:AdditionalChecks:{index}");
        if (check.Kind is not (ConsulCheckKind.Http or ConsulCheckKind.Tcp or ConsulCheckKind.Grpc))
        {
            failures.Add($"{key}:Kind '{check.Kind}' is not a kind for an extra check. Use Http, Tcp or Grpc.");
        }
        else if (string.IsNullOrWhiteSpace(check.Target))
        {
            failures.Add($"{key}:Target is required: {TargetHint(check.Kind)}.");
        }
        else if (!IsValidTarget(check.Kind, check.Target))
        {
            failures.Add($"{key}:Target '{check.Target}' is not valid for a {check.Kind} check: {TargetHint(check.Kind)}.");
        }

        ValidateInterval(key, check.Interval, check.Timeout, failures);
    }

    private static void ValidateInterval(string key, TimeSpan interval, TimeSpan timeout, List<string> failures)
    {
        if (interval <= TimeSpan.Zero)
        {
            failures.Add($"{key}:Interval must be greater than zero; got '{Format(interval)}'. Use e.g. '00:00:10' (Consul's minimum is 1 second).");
        }

        DurationLimits.CheckAtMost($"{key}:Interval", interval, DurationLimits.Period, failures);

        if (timeout <= TimeSpan.Zero)
        {
            failures.Add($"{key}:Timeout must be greater than zero; got '{Format(timeout)}'. Use e.g. '00:00:05'.");
        }
        else if (interval > TimeSpan.Zero && timeout > interval)
        {
            failures.Add($"{key}:Timeout '{Format(timeout)}' is longer than {key}:Interval '{Format(interval)}'. Make the timeout at most the interval.");
        }
    }

    private void ValidateRegistration(ConsulRegistrationOptions registration, List<string> failures)
    {
        if (registration.RetryInitialDelay <= TimeSpan.Zero)
        {
            failures.Add($"{_section}:Registration:RetryInitialDelay must be greater than zero; got '{Format(registration.RetryInitialDelay)}'. Use e.g. '00:00:01'.");
        }

        DurationLimits.CheckAtMost($"{_section}:Registration:RetryInitialDelay", registration.RetryInitialDelay, DurationLimits.ShortWait, failures);
        DurationLimits.CheckAtMost($"{_section}:Registration:RetryMaxDelay", registration.RetryMaxDelay, DurationLimits.Backoff, failures);
        DurationLimits.CheckAtMost($"{_section}:Registration:AntiEntropyInterval", registration.AntiEntropyInterval, DurationLimits.Period, failures);
        DurationLimits.CheckAtMost($"{_section}:Registration:DrainDelay", registration.DrainDelay, DurationLimits.ShortWait, failures);

        if (registration.RetryMaxDelay < registration.RetryInitialDelay)
        {
            failures.Add($"{_section}:Registration:RetryMaxDelay '{Format(registration.RetryMaxDelay)}' is shorter than {_section}:Registration:RetryInitialDelay '{Format(registration.RetryInitialDelay)}'. Make it at least the initial delay, e.g. '00:01:00'.");
        }

        if (registration.AntiEntropyInterval < MinimumPeriod)
        {
            failures.Add($"{_section}:Registration:AntiEntropyInterval must be at least 1 second; got '{Format(registration.AntiEntropyInterval)}'. Use e.g. '00:00:30'.");
        }

        if (!Enum.IsDefined(registration.ShutdownMode))
        {
            failures.Add($"{_section}:Registration:ShutdownMode '{registration.ShutdownMode}' is not a shutdown mode. Use Deregister or Maintenance.");
        }

        if (registration.DrainDelay < TimeSpan.Zero)
        {
            failures.Add($"{_section}:Registration:DrainDelay must not be negative; got '{Format(registration.DrainDelay)}'. Use e.g. '00:00:02', or '00:00:00' for no drain.");
        }
    }

    private static bool IsValidTarget(ConsulCheckKind kind, string target) => kind switch
    {
        ConsulCheckKind.Http => Uri.TryCreate(target, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
        ConsulCheckKind.Tcp => IsHostPort(target),
        ConsulCheckKind.Grpc => IsHostPort(target.Split('/', 2)[0]),
        _ => false,
    };

    private static bool IsHostPort(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        var host = value[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IPAddress.TryParse(host[1..^1], out _);
        }

        return !host.Contains(':', StringComparison.Ordinal) && Uri.CheckHostName(host) != UriHostNameType.Unknown;
    }

    private static string TargetHint(ConsulCheckKind kind) => kind switch
    {
        ConsulCheckKind.Http => "an absolute http:// or https:// URL, e.g. 'http://127.0.0.1:9090/ready'",
        ConsulCheckKind.Tcp => "host:port, e.g. '127.0.0.1:6379' ('[::1]:6379' for IPv6)",
        _ => "host:port or host:port/service, e.g. '127.0.0.1:5001/orders'",
    };

    private static string Format(TimeSpan value) => DurationLimits.Format(value);

    [GeneratedRegex("^[a-zA-Z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex MetaKeyPattern();
}
