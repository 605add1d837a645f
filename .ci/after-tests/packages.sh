#!/usr/bin/env bash
# Package smoke test: pack the shipping libraries into a temporary folder, then build and run a throw-away app that
# references the PACKAGES (not the projects) through a nuget.config naming that folder plus the usual feeds. The app
# starts a ConsulTestAgent from ServiceDiscovery.Consul.Testing, registers itself with AddConsulDiscovery() and finds
# itself through IConsulServiceDiscovery; it exits 0 only if that worked. What users install is what is tested.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$(pwd)"
started=$(date +%s)

work="$(mktemp -d)"
# A version no earlier run used, so the local NuGet cache cannot answer with a stale package of the same version;
# its copies in that cache are removed again on the way out.
version="0.9.1-ci.$(date +%Y%m%d%H%M%S).$$"
cache="$(dotnet nuget locals global-packages --list | sed -n 's/^global-packages: //p')"
cleanup() {
  rm -rf "$work"
  [ -n "$cache" ] && rm -rf "$cache/servicediscovery.aspnetcore/$version" "$cache/servicediscovery.consul.testing/$version" \
    "$cache/servicediscovery.aspnetcore.grpc/$version"
  return 0
}
trap cleanup EXIT
feed="$work/feed"
app="$work/app"
mkdir -p "$feed" "$app"

# The command docs/packages.md gives, on the whole solution: it must succeed and write the four packages and nothing
# else (every other project is not packable and must be passed over without a warning, which would be an error here).
# The Aspire integration, the gRPC package and the DistributedLock.Core provider are packed and their metadata checked
# too; the app below installs none of them (an AppHost needs the orchestrator, which these machines cannot run; the
# gRPC package and the provider's contract are tested by project reference).
packages=(ServiceDiscovery.AspNetCore ServiceDiscovery.Consul.Testing ServiceDiscovery.Consul.Hosting.Aspire ServiceDiscovery.AspNetCore.Grpc ServiceDiscovery.AspNetCore.DistributedLock)
# CI has just built the solution in Release: reuse it when it is there.
no_build=(--no-build)
for name in "${packages[@]}"; do
  [ -e "src/$name/bin/Release/net10.0/$name.dll" ] || no_build=()
done
if ! dotnet pack -c Release "${no_build[@]}" -o "$feed" -p:PackageVersion="$version" >"$work/pack.log" 2>&1; then
  cat "$work/pack.log"; echo "dotnet pack -c Release failed"; exit 1
fi
expected="$(for name in "${packages[@]}"; do echo "$name.$version.nupkg"; echo "$name.$version.snupkg"; done | sort)"
written="$(ls "$feed" | sort)"
[ "$written" = "$expected" ] || { printf 'dotnet pack wrote:\n%s\nexpected:\n%s\n' "$written" "$expected"; exit 1; }
for name in "${packages[@]}"; do
  # README, license expression and repository metadata in the package itself.
  nuspec="$(unzip -p "$feed/$name.$version.nupkg" "$name.nuspec")"
  listing="$(unzip -l "$feed/$name.$version.nupkg")"
  grep -q ' README.md$' <<<"$listing" || { echo "$name: no README.md in the package"; exit 1; }
  for want in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<repository type="git"' '<description>'; do
    grep -qF "$want" <<<"$nuspec" || { echo "$name: nuspec lacks $want"; exit 1; }
  done
done

cat >"$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="packed" value="$feed" />
  </packageSources>
</configuration>
XML

cat >"$app/PackageSmoke.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="ServiceDiscovery.AspNetCore" Version="$version" />
    <PackageReference Include="ServiceDiscovery.Consul.Testing" Version="$version" />
  </ItemGroup>
</Project>
XML

cat >"$app/Program.cs" <<'CS'
using ServiceDiscovery.AspNetCore;
using ServiceDiscovery.Consul.Testing;

using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
await using var consul = await ConsulTestAgent.StartAsync(cancellationToken: timeout.Token);

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Configuration["Consul:Address"] = consul.Address.ToString();
builder.Configuration["Consul:Service:Name"] = "package-smoke";
builder.Configuration["Consul:Check:Interval"] = "00:00:01";
builder.Configuration["Consul:Check:Timeout"] = "00:00:01";
builder.Configuration["Consul:Registration:DrainDelay"] = "00:00:00";
builder.Services.AddConsulDiscovery();
await using var app = builder.Build();
await app.StartAsync(timeout.Token);

var registration = app.Services.GetRequiredService<IConsulRegistration>();
var discovery = app.Services.GetRequiredService<IConsulServiceDiscovery>();
while (true)
{
    var instances = await discovery.GetInstancesAsync("package-smoke", timeout.Token);
    var self = instances.FirstOrDefault(i => i.Id == registration.ServiceId);
    if (self is not null)
    {
        Console.WriteLine($"discovered itself through the packages: {self.Id} at {self.Address}:{self.Port}");
        break;
    }

    // Passing instances only: wait for the agent's first HTTP check, on the cache's change token (no polling).
    var changed = new TaskCompletionSource();
    using (instances.ChangeToken.RegisterChangeCallback(static s => ((TaskCompletionSource)s!).TrySetResult(), changed))
    {
        await changed.Task.WaitAsync(timeout.Token);
    }
}

await app.StopAsync(timeout.Token);
if (consul.Services.Count != 0)
{
    Console.WriteLine("still registered after shutdown");
    return 1;
}

return 0;
CS

cd "$app"
if ! dotnet build -c Release >"$work/build.log" 2>&1; then cat "$work/build.log"; echo "the package smoke app did not build"; exit 1; fi
grep -qF "\"ServiceDiscovery.AspNetCore/$version\"" obj/project.assets.json \
  || { echo "the app did not restore the packed package"; exit 1; }
dotnet run -c Release --no-build
echo "packages ok: $(ls "$feed" | tr '\n' ' ')in $(( $(date +%s) - started )) s"
