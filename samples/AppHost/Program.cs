// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using AppHost;

var builder = DistributedApplication.CreateBuilder(args);
builder.AddSample();
await builder.Build().RunAsync().ConfigureAwait(false);
