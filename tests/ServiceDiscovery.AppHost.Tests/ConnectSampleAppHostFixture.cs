// Copyright (c) ServiceDiscovery.AspNetCore contributors. Licensed under the MIT License.

using AppHost;

namespace ServiceDiscovery.AppHost.Tests;

/// <summary>samples/AppHost with its Connect switch on (<c>--Sample:Connect=true</c>), started once for the test class.</summary>
public sealed class ConnectSampleAppHostFixture : SampleAppHostFixture
{
    protected override string[] Arguments => [$"--{SampleApplication.ConnectSetting}=true"];
}
