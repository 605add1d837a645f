// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using Gateway;

var builder = WebApplication.CreateBuilder(args);

// /catalog/** → a healthy "catalog" instance from Consul (CONSUL_HTTP_ADDR), following Consul as instances come and go.
builder.AddGateway();

var app = builder.Build();
app.MapGateway();
app.Run();
