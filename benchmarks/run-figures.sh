#!/usr/bin/env bash
# Re-runs every figure docs/figures.md prints, one section of that page at a time, and prints what each measured
# under the page's heading for it. Nothing is compared or written back: copy the numbers into the page by hand, with
# the date and the machine's load (printed first).
#
#   bash benchmarks/run-figures.sh                 # every section (about an hour on the 2-core machine)
#   bash benchmarks/run-figures.sh discovery kv    # some of them
#
# Sections: build registration samples discovery scale http client agent coordination kv
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
all=(build registration samples discovery scale http client agent coordination kv)
sections=("$@")
[ ${#sections[@]} -gt 0 ] || sections=("${all[@]}")
for section in "${sections[@]}"; do
  [[ " ${all[*]} " == *" $section "* ]] || { echo "unknown section '$section'; sections: ${all[*]}"; exit 2; }
done

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  rm -rf "$work"
  return 0
}
trap cleanup EXIT

heading() { printf '\n=== %s (%s)\n' "$1" "$(date '+%Y-%m-%d %H:%M')"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
bench() { dotnet "$root/benchmarks/ServiceDiscovery.AspNetCore.Benchmarks/bin/Release/net10.0/ServiceDiscovery.AspNetCore.Benchmarks.dll" "$@"; }
# BenchmarkDotNet's summary table, without its progress log.
bdn() { bench "$@" 2>&1 | sed -n '/^BenchmarkDotNet v/,/^Run time:/p' | grep -v '^ *$'; }

# Starts samples/DevAgent (Release build) on a free port; sets $agent_url. Waits for readiness with a deadline.
start_agent() {
  local port log deadline
  port="$(free_port)"; log="$work/agent-$port.log"
  dotnet "$root/samples/DevAgent/bin/Release/net10.0/DevAgent.dll" --port "$port" >"$log" 2>&1 &
  pids+=($!)
  agent_url="http://127.0.0.1:$port"
  deadline=$((SECONDS + 60))
  until curl -sf "$agent_url/v1/status/leader" >/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then echo "DevAgent did not start:"; cat "$log"; exit 1; fi
    sleep 0.2
  done
}
stop_agents() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; done
  pids=()
}

# Runs tests with their output (the MEASURED lines some tests write) and prints each test's result, duration and output.
tests_with_output() {
  local project="$1" filter="$2"
  dotnet test "$root/tests/$project" -c Release --no-build --filter "$filter" --logger "console;verbosity=detailed" 2>&1 \
    | grep -E '^\s+(Passed|Failed|Skipped) |^(Passed|Failed)!|MEASURED|hand-over|blocked queries' \
    | sed -E 's/ServiceDiscovery\.[A-Za-z.]+Tests\.//' || true
}

heading "machine"
echo "$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(dotnet --version) SDK, commit $(git rev-parse --short HEAD)"

# Every section but build runs what this tree's Release build produces (build measures a fresh clone of HEAD).
dotnet build ServiceDiscovery.AspNetCore.sln -c Release -v quiet -nologo >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

for section in "${sections[@]}"; do
  case "$section" in
  build)
    heading "Build, tests and demo: a fresh clone, cold Debug build, then bash .ci/run with each step's time"
    clone="$work/clone"
    git clone -q "$root" "$clone"
    started=$SECONDS
    (cd "$clone" && dotnet build ServiceDiscovery.AspNetCore.sln >"$work/debug-build.log" 2>&1) || { tail -n 30 "$work/debug-build.log"; exit 1; }
    echo "cold Debug build of the fresh clone: $((SECONDS - started)) s, $(grep -c 'warning' "$work/debug-build.log" || true) warning lines"
    started=$SECONDS
    # Each "== step" line of .ci/run closes the previous step; the test, demo, AOT and package lines are kept.
    # A failing test is reported (its count is in the summary line) and the other sections still run.
    (cd "$clone" && { rc=0; CI=true bash .ci/run 2>&1 || rc=$?; echo "== (.ci/run exited $rc)"; }) | {
      step=""; step_started=$SECONDS
      while IFS= read -r line; do
        case "$line" in
          "== "*) [ -z "$step" ] || echo "  $step: $((SECONDS - step_started)) s"; step="${line#== }"; step_started=$SECONDS ;;
          *"Passed!"*|*"Failed!"*|*" passed, "*|*"passed in"*|"packages ok"*|"third-party clients:"*|[0-9].\ *|"   "[0-9]*|"   Healthy"*|"All steps behaved"*) echo "    $line" ;;
        esac
      done
      echo "  $step"
    }
    echo "bash .ci/run: $((SECONDS - started)) s in all"
    ;;

  registration)
    heading "Registration: the integration tests' timings"
    tests_with_output ServiceDiscovery.AspNetCore.Tests "FullyQualifiedName~Registration.Integration"
    ;;

  samples)
    heading "Samples as separate processes: SIGTERM to one of two Catalog.Api while Orders.Api calls it (README walk-through)"
    start_agent
    export CONSUL_HTTP_ADDR="$agent_url"
    catalog1_port="$(free_port)"; catalog2_port="$(free_port)"; orders_port="$(free_port)"
    # Started as the walk-through starts them: dotnet run passes SIGTERM on to the app.
    run_sample() { dotnet run -c Release --no-build --project "$root/samples/$1" -- --urls "http://127.0.0.1:$2" >"$work/$1-$2.log" 2>&1 & }
    run_sample Catalog.Api "$catalog1_port"; pids+=($!)
    run_sample Catalog.Api "$catalog2_port"; catalog2=$!; pids+=("$catalog2")
    run_sample Orders.Api "$orders_port"; pids+=($!)
    deadline=$((SECONDS + 60))
    passing_catalogs() { curl -s "$agent_url/v1/health/service/catalog?passing" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'; }
    until [ "$(passing_catalogs)" -ge 2 ] \
      && curl -sf -o /dev/null "http://127.0.0.1:$orders_port/catalog/instance"; do
      [ "$SECONDS" -lt "$deadline" ] || { echo "the samples did not come up:"; tail -n 20 "$work"/*.Api-*.log; exit 1; }
      sleep 0.5
    done
    ( sleep 2; kill -TERM "$catalog2" ) &
    ok=0; failed=0; end=$((SECONDS + 8))
    while [ $SECONDS -lt $end ]; do
      if curl -sf -o /dev/null "http://127.0.0.1:$orders_port/catalog/instance"; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
    done
    echo "calls through orders in 8 s, SIGTERM to one catalog 2 s in: ok=$ok failed=$failed"
    grep -h 'Deregistered\|Draining' "$work/Catalog.Api-$catalog2_port.log" | sed 's/^/  the stopped catalog: /'
    stop_agents
    unset CONSUL_HTTP_ADDR
    ;;

  discovery)
    heading "Discovery: cached lookup against an agent query per lookup (BenchmarkDotNet)"
    bdn lookup
    heading "Discovery: propagation, one change after a quiet period and bursts to one name"
    bench propagation 60 10 100
    heading "Discovery: 1,000 watched names against samples/DevAgent in another process"
    start_agent
    CONSUL_HTTP_ADDR="$agent_url" bench scale 1000 30
    stop_agents
    ;;

  scale)
    heading "Scale, datacenter mode: reading the answers as fingerprints (BenchmarkDotNet; docs/scale.md)"
    bdn datacenter
    heading "Scale, datacenter mode: 10,000 names, then per-service mode at 200 names on the same agent (docs/scale.md)"
    start_agent
    CONSUL_HTTP_ADDR="$agent_url" bench scale 10000 60 Datacenter
    CONSUL_HTTP_ADDR="$agent_url" bench scale 200 10 PerService
    stop_agents
    ;;

  http)
    heading "HTTP: handler overhead, HttpClient to Kestrel, balancers (BenchmarkDotNet)"
    bdn http
    ;;

  client)
    heading "Client: GetHealthServiceAsync against decoding alone (BenchmarkDotNet)"
    bdn client
    echo "(NativeAOT smoke time and binary size: the build section's aot-smoke line)"
    ;;

  agent)
    heading "Test agent: 1,000 concurrent blocking queries"
    tests_with_output ServiceDiscovery.Consul.Testing.Tests "FullyQualifiedName~BlockingQueryConformanceTests"
    heading "Test agent: the library's integration tests against samples/DevAgent over HTTP"
    start_agent
    CONSUL_HTTP_ADDR="$agent_url" dotnet test tests/ServiceDiscovery.AspNetCore.Tests -c Release --no-build \
      --filter "FullyQualifiedName~.Integration." 2>&1 | grep -E '^(Passed|Failed)!' || true
    echo "services left in the agent afterwards: $(curl -s "$agent_url/v1/agent/services")"
    stop_agents
    echo "(conformance suite and third-party client times: the build section)"
    ;;

  coordination)
    heading "Coordination: leader election and locks, the tests' timings"
    tests_with_output ServiceDiscovery.AspNetCore.Tests "FullyQualifiedName~.Coordination."
    echo "(the demo's leader step: the build section's demo output, step 7)"
    ;;

  kv)
    heading "Configuration from Consul KV: reload latency"
    bench kv-reload 200
    heading "Configuration from Consul KV: idle requests (WaitTime 2 s, 30 s window)"
    bench kv-idle 2 30
    echo "(the demo's KV step: the build section's demo output, step 8)"
    ;;
  esac
done
