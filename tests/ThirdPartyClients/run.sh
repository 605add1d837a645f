#!/usr/bin/env bash
# Runs real third-party Consul clients against the DevAgent (ConsulTestAgent): npm `consul` 2.0.1 and Debian's
# python3-consul2. Installs what it needs (checking first), builds and starts the agent on a free port, waits for
# readiness with a deadline, runs both clients, stops the agent. Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

# --- Dependencies --------------------------------------------------------------------------------------------
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node and npm are required"; exit 1
fi
if [ ! -f node_modules/consul/package.json ] || ! grep -q '"version": "2.0.1"' node_modules/consul/package.json; then
  npm ci --no-audit --no-fund --loglevel=error
fi

python=/usr/bin/python3
if ! "$python" -c 'import consul' >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq python3-consul2
fi

# --- Agent ---------------------------------------------------------------------------------------------------
dotnet build "$root/samples/DevAgent/DevAgent.csproj" -c Release -nologo -v quiet
port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
log="$(mktemp)"
dotnet "$root/samples/DevAgent/bin/Release/net10.0/DevAgent.dll" --port "$port" >"$log" 2>&1 &
agent_pid=$!
stop_agent() {
  if kill -0 "$agent_pid" 2>/dev/null; then
    kill -TERM "$agent_pid"
    wait "$agent_pid" || true
  fi
}
trap stop_agent EXIT

deadline=$((SECONDS + 60))
ready() {
  "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2).read()' \
    "http://127.0.0.1:$port/v1/status/leader" >/dev/null 2>&1
}
until ready; do
  if ! kill -0 "$agent_pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
    echo "DevAgent did not become ready on port $port:"; cat "$log"; exit 1
  fi
  sleep 0.2
done
echo "DevAgent ready on 127.0.0.1:$port"

# --- Clients -------------------------------------------------------------------------------------------------
status=0
timeout 180 node "$here/node-client.mjs" "$port" || status=1
timeout 180 "$python" "$here/python-client.py" "$port" || status=1

stop_agent
trap - EXIT
if [ "$status" -ne 0 ]; then
  echo "third-party clients: FAILED (agent log follows)"; cat "$log"
else
  echo "third-party clients: passed"
fi
rm -f "$log"
exit "$status"
