// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ServiceDiscovery.AspNetCore.Connect;

/// <summary>
/// With Connect on (and not <c>Consul:Connect:ClientOnly</c>), a request that did not arrive over the Connect mTLS endpoint reaches nothing but the health path
/// Consul's check calls (<c>Consul:Check:Path</c>): everything else is answered 403 before the app's pipeline. Without
/// this, a plain-HTTP listener kept for the check would be a way around mTLS and intentions.
/// </summary>
internal sealed class ConnectPlainHttpGate(IOptions<ConsulOptions> options) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        return app =>
        {
            var settings = options.Value;
            if (settings.Connect.ServesMutualTls)
            {
                var healthPath = new PathString(settings.Check.Path);
                app.Use((context, nextMiddleware) =>
                {
                    if (context.Request.IsHttps || (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)) && context.Request.Path.Equals(healthPath, StringComparison.OrdinalIgnoreCase))
                    {
                        return nextMiddleware(context);
                    }

                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    context.Response.ContentType = "text/plain";
                    return context.Response.WriteAsync($"This service accepts only Consul Connect mTLS; plain HTTP serves only {healthPath}.", context.RequestAborted);
                });
            }

            next(app);
        };
    }
}
