// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Grpc.Core;
using ServiceDiscovery.AspNetCore;

namespace CatalogGrpc.Api;

/// <summary>The catalog: every answer names the instance that served it, so a client can see how calls spread.</summary>
internal sealed class CatalogService(IConsulRegistration registration, TimeProvider time) : Catalog.CatalogBase
{
    private static readonly string[] Names = ["Keyboard", "Mouse", "Screen", "Cable"];

    public override Task<Item> GetItem(GetItemRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Task.FromResult(NewItem(request.Id));
    }

    public override async Task ListItems(ListItemsRequest request, IServerStreamWriter<Item> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        if (request.Count is < 0 or > 10_000 || request.DelayMs is < 0 or > 10_000)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"count must be 0 to 10000 and delay_ms 0 to 10000; got {request.Count} and {request.DelayMs}."));
        }

        for (var i = 0; i < request.Count; i++)
        {
            if (i > 0 && request.DelayMs > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(request.DelayMs), time, context.CancellationToken).ConfigureAwait(false);
            }

            await responseStream.WriteAsync(NewItem(i + 1), context.CancellationToken).ConfigureAwait(false);
        }
    }

    private Item NewItem(int id) => new() { Id = id, Name = Names[Math.Abs(id % Names.Length)], InstanceId = registration.ServiceId ?? string.Empty };
}
