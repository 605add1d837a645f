// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.Extensions.Logging;

namespace ServiceDiscovery.AspNetCore.Configuration;

internal sealed partial class KeyValueLayer
{
    // Keys are logged, values never: a value may be a secret.
    private static partial class Log
    {
        [LoggerMessage(6001, LogLevel.Error, "Consul KV key '{Key}' is not a valid JSON or YAML document (line {Line}, position {Position}); kept: {Kept}.", EventName = "ConsulKeyValueDocumentMalformed")]
        public static partial void MalformedDocument(ILogger logger, string key, long? line, long? position, string kept);

        [LoggerMessage(6002, LogLevel.Warning, "Consul KV key '{Key}' is skipped: its value is not valid UTF-8.", EventName = "ConsulKeyValueNotUtf8")]
        public static partial void NotUtf8(ILogger logger, string key);
    }
}
