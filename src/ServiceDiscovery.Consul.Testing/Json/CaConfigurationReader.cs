// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ServiceDiscovery.Consul.Testing.State;

namespace ServiceDiscovery.Consul.Testing.Json;

/// <summary>
/// Reads and checks the <c>consul</c> provider's <c>Config</c> map as Consul's <c>ParseConsulCAConfig</c> and
/// <c>CommonCAProviderConfig.Validate</c> do: keys match case-insensitively, durations are Go strings or nanoseconds,
/// missing keys take the defaults (72h, 8760h, 87600h, <c>ec</c>, 256), other keys (<c>RotationPeriod</c>…) are ignored.
/// Error texts never quote key material.
/// </summary>
internal static class CaConfigurationReader
{
    /// <summary>Reads <paramref name="config"/>, or returns the error Consul answers (a 500) for a bad value.</summary>
    public static CaSettings Read(JsonObject config, out string? error)
    {
        error = null;
        try
        {
            var leaf = Duration(config, "LeafCertTTL", CaSettings.DefaultLeafCertTtl);
            var intermediate = Duration(config, "IntermediateCertTTL", CaSettings.DefaultIntermediateCertTtl);
            var root = Duration(config, "RootCertTTL", CaSettings.DefaultRootCertTtl);
            var type = Text(config, "PrivateKeyType") is { Length: > 0 } t ? t : "ec";
            var bits = Number(config, "PrivateKeyBits") is { } b and not 0 ? b : type == "rsa" ? 2048 : 256;
            var settings = new CaSettings(leaf, intermediate, root, type, bits, Text(config, "PrivateKey"), Text(config, "RootCert"));
            error = Validate(settings);
            return settings;
        }
        catch (JsonDecodeException ex)
        {
            error = $"error parsing CA config: {ex.Message}";
            return new CaSettings(default, default, default, string.Empty, 0, string.Empty, string.Empty);
        }
    }

    private static string? Validate(CaSettings s)
    {
        if (s.RootCert.Length > 0 && s.PrivateKey.Length == 0)
        {
            return "must provide a private key when providing a root cert";
        }

        if (s.PrivateKeyType is not ("ec" or "rsa"))
        {
            return "private key type must be either 'ec' or 'rsa'";
        }

        if (!CaSigningKey.IsSupported(s.PrivateKeyType, s.PrivateKeyBits))
        {
            return s.PrivateKeyType == "ec"
                ? $"EC key length must be one of (224, 256, 384, 521) bits; got {s.PrivateKeyBits}"
                : $"RSA key length must be one of (2048, 4096) bits; got {s.PrivateKeyBits}";
        }

        if (s.LeafCertTtl < GoDuration.FromTimeSpan(TimeSpan.FromHours(1)))
        {
            return $"leaf cert TTL must be greater or equal than 1h0m0s; got {s.LeafCertTtl}";
        }

        if (s.LeafCertTtl > GoDuration.FromTimeSpan(TimeSpan.FromHours(8760)))
        {
            return $"leaf cert TTL must be less than 8760h0m0s; got {s.LeafCertTtl}";
        }

        var threeLeaves = new GoDuration(3 * s.LeafCertTtl.Nanoseconds);
        if (s.IntermediateCertTtl < threeLeaves)
        {
            return $"Intermediate Cert TTL must be greater or equal than 3 * LeafCertTTL (>={threeLeaves}).";
        }

        return s.RootCertTtl < s.IntermediateCertTtl
            ? $"root cert TTL is set and is not greater than intermediate cert ttl. root cert ttl: {s.RootCertTtl}, intermediate cert ttl: {s.IntermediateCertTtl}"
            : null;
    }

    private static JsonNode? Find(JsonObject config, string key) =>
        config.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase)).Value;

    private static GoDuration Duration(JsonObject config, string key, GoDuration fallback)
    {
        switch (Find(config, key))
        {
            case null:
                return fallback;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                return new GoDuration(v.TryGetValue<long>(out var n) ? n : (long)Math.Truncate(v.GetValue<double>()));
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                var text = v.GetValue<string>();
                return text.Length == 0 ? fallback
                    : GoDuration.TryParse(text, out var d, out var error) ? d : throw new JsonDecodeException($"{key}: {error}");
            default:
                throw new JsonDecodeException($"{key}: expected a duration string such as \"72h\"");
        }
    }

    private static string Text(JsonObject config, string key) => Find(config, key) switch
    {
        null => string.Empty,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        _ => throw new JsonDecodeException($"{key}: expected a string"),
    };

    private static int? Number(JsonObject config, string key) => Find(config, key) switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var n) => n,
        JsonValue v when v.GetValueKind() == JsonValueKind.String && int.TryParse(v.GetValue<string>(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
        _ => throw new JsonDecodeException($"{key}: expected a number of bits such as 256"),
    };
}
