// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Net;

namespace ServiceDiscovery.AspNetCore.Consul;

internal sealed partial class ConsulApiClient
{
    /// <summary>
    /// Sends <paramref name="call"/> with its token: the call's own, else the token file's (re-read when it changes),
    /// else <c>Consul:Token</c>. A 403 to a token read from the file re-reads the file at once: a rotation the
    /// once-a-second check has not seen yet (the old token already revoked) is retried once with the new token when
    /// the call has no body, and otherwise used from the next call on.
    /// </summary>
    private async Task<ConsulResponse<T>> SendCoreAsync<T>(ConsulCall call, BodyReader<T>? bodyType, CancellationToken cancellationToken)
    {
        var options = _options.CurrentValue;
        var tokenFile = string.IsNullOrEmpty(call.Token) && !string.IsNullOrWhiteSpace(options.TokenFile) ? options.TokenFile : null;
        var token = !string.IsNullOrEmpty(call.Token) ? call.Token
            : tokenFile is null ? options.Token
            : _tokenFile.Read(tokenFile) ?? options.Token;
        try
        {
            return await SendOnceAsync(call, token, bodyType, cancellationToken).ConfigureAwait(false);
        }
        catch (ConsulException ex) when (ex.StatusCode == HttpStatusCode.Forbidden
            && tokenFile is not null
            && _tokenFile.Read(tokenFile, force: true) is { } rotated
            && rotated != token
            && call.Content is null)
        {
            return await SendOnceAsync(call, rotated, bodyType, cancellationToken).ConfigureAwait(false);
        }
    }
}
