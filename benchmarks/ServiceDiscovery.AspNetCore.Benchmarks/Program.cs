// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.AspNetCore.Benchmarks;

// dotnet run -c Release --project benchmarks/ServiceDiscovery.AspNetCore.Benchmarks -- lookup
// dotnet run -c Release --project benchmarks/ServiceDiscovery.AspNetCore.Benchmarks -- datacenter
// dotnet run -c Release --project benchmarks/ServiceDiscovery.AspNetCore.Benchmarks -- propagation [changes] [burst sizes...]
// dotnet run -c Release --project benchmarks/ServiceDiscovery.AspNetCore.Benchmarks -- http
// dotnet run -c Release --project benchmarks/ServiceDiscovery.AspNetCore.Benchmarks -- client
// dotnet run -c Release --project benchmarks/ServiceDiscovery.AspNetCore.Benchmarks -- grpc
// dotnet run -c Release --project benchmarks/ServiceDiscovery.AspNetCore.Benchmarks -- connect
// dotnet run -c Release --project benchmarks/ServiceDiscovery.AspNetCore.Benchmarks -- kv-reload [trials]
// dotnet run -c Release --project benchmarks/ServiceDiscovery.AspNetCore.Benchmarks -- kv-idle [wait seconds] [window seconds]
// CONSUL_HTTP_ADDR=http://127.0.0.1:8600 dotnet run -c Release --project benchmarks/... -- scale [names] [idle seconds] [Auto|PerService|Datacenter]
// Anything else is passed to BenchmarkDotNet's switcher.
switch (args.FirstOrDefault())
{
    case "lookup":
        // In-process and short: the machine this runs on is shared; the ratio to the baseline is the figure that matters.
        var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
        BenchmarkRunner.Run<LookupBenchmarks>(config);
        break;
    case "http":
        var httpConfig = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
        BenchmarkRunner.Run([typeof(HandlerOverheadBenchmarks), typeof(HttpHandlerBenchmarks), typeof(LoadBalancerBenchmarks)], httpConfig);
        break;
    case "client":
        BenchmarkRunner.Run<ClientBenchmarks>(DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance)));
        break;
    case "grpc":
        BenchmarkRunner.Run<GrpcResolverBenchmarks>(DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance)));
        break;
    case "connect":
        // More and longer iterations than ShortRun: a pooled request is tens of microseconds, and one stall of a shared
        // machine in a 3-iteration run decides the ratio.
        BenchmarkRunner.Run<ConnectBenchmarks>(DefaultConfig.Instance.AddJob(Job.ShortRun
            .WithIterationCount(15)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithToolchain(InProcessEmitToolchain.Instance)));
        break;
    case "datacenter":
        BenchmarkRunner.Run<DatacenterAnswerBenchmarks>(DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance)));
        break;
    case "propagation":
        await PropagationMeasurement.RunAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60,
            args.Length > 2 ? [.. args.Skip(2).Select(a => int.Parse(a, CultureInfo.InvariantCulture))] : [10, 100]);
        break;
    case "kv-reload":
        await KeyValueReloadMeasurement.RunAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200);
        break;
    case "kv-idle":
        await KeyValueIdleMeasurement.RunAsync(
            TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2),
            TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60));
        break;
    case "scale":
        await ScaleMeasurement.RunAsync(
            args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000,
            TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 30),
            args.Length > 3 ? Enum.Parse<ConsulWatchMode>(args[3], ignoreCase: true) : ConsulWatchMode.Auto);
        break;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(LookupBenchmarks).Assembly).Run(args);
        break;
}
