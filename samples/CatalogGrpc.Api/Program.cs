// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using CatalogGrpc.Api;

CatalogGrpcApp.Build(args).Run();
