// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using CatalogGrpc;
using CatalogGrpc.Client;
using Grpc.Core;

var builder = Host.CreateApplicationBuilder(args);

// consul://catalog-grpc: the channel balances calls round-robin over the passing instances of "catalog-grpc" that
// the discovery cache holds, and follows every change Consul pushes (an instance stopping, a new one passing).
builder.Services.AddConsulGrpcResolver();
builder.Services.AddGrpcClient<Catalog.CatalogClient>(o => o.Address = new Uri("consul://catalog-grpc"))
    .ConfigureChannel(o => o.Credentials = ChannelCredentials.Insecure); // the instances serve h2c (plaintext HTTP/2)

builder.Services.AddHostedService<CallLoop>();
builder.Build().Run();
