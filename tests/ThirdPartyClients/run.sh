#!/usr/bin/env bash
# Runs real third-party Consul clients against the DevAgent (ConsulTestAgent): npm `consul` 2.0.1 and Debian's
# python3-consul2 (not python3-consul, whose module has the same name). Installs what it needs (checking first),
# builds and starts the agent on a free port, waits for readiness with a deadline, runs both clients, stops the
# agent. Exits non-zero on any failure.
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

# python-client.py is written for Debian's python3-consul2 (0.1.5 or later). Debian's older python3-consul (0.7.1,
# which other Debian packages depend on) installs the same module, `consul`, but passes checks with GET, which Consul
# answers 405: that `import consul` works says nothing, so find which package it loads.
python=/usr/bin/python3
need_package=python3-consul2
need_version=0.1.5
if [ "$(id -u)" -eq 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
# Downloading needs no root; as root, apt's _apt sandbox user cannot write into this folder, so do not ask it to.
apt_download=(apt-get download -qq)
[ "$(id -u)" -eq 0 ] && apt_download=(apt-get -o APT::Sandbox::User=root download -qq)

# "<package> <version> <file>" of the `consul` module $python loads ("-" for a file no Debian package owns, with the
# module's own __version__); nothing when there is none.
consul_origin() {
  local file owner
  file="$("$python" -c 'import consul; print(consul.__file__)' 2>/dev/null)" || return 0
  owner="$(dpkg-query -S "$file" 2>/dev/null | sed -n '1s/: .*//p')"
  owner="${owner%%:*}"
  if [ -n "$owner" ]; then
    echo "$owner $(dpkg-query -W -f='${Version}' "$owner") $file"
  else
    echo "- $("$python" -c 'import consul; print(getattr(consul, "__version__", "unknown"))') $file"
  fi
}
suits() { [ "$1" = "$need_package" ] && dpkg --compare-versions "$2" ge "$need_version"; }

# The two packages conflict: installing python3-consul2 would remove python3-consul and every package depending on
# it. So the client gets its own copy instead, unpacked from the Debian package into python_modules/ and put first
# on its PYTHONPATH; the system is left as it was.
use_own_copy() {
  local dir="$here/python_modules" deb="" file
  for file in "$dir/${need_package}"_*.deb; do [ -e "$file" ] && deb="$file"; done
  if [ -z "$deb" ] || ! suits "$(dpkg-deb -f "$deb" Package)" "$(dpkg-deb -f "$deb" Version)"; then
    rm -rf "$dir"; mkdir -p "$dir"
    # Needs apt's package lists; a machine that never ran apt-get update has none yet.
    if ! (cd "$dir" && "${apt_download[@]}" "$need_package" 2>/dev/null); then
      "${apt_get[@]}" update -qq
      (cd "$dir" && "${apt_download[@]}" "$need_package")
    fi
    for file in "$dir/${need_package}"_*.deb; do deb="$file"; done
    dpkg-deb -x "$deb" "$dir/root"
  fi
  # What the package depends on besides the module itself; it does not conflict with anything.
  if ! "$python" -c 'import requests, six' >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq python3-requests python3-six
  fi
  export PYTHONPATH="$dir/root/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}"
  found_package="$(dpkg-deb -f "$deb" Package)" found_version="$(dpkg-deb -f "$deb" Version)"
  local loaded
  loaded="$("$python" -c 'import consul; print(consul.__file__)')"
  case "$loaded" in
    "$dir/root/"*) ;;
    *) echo "python: import consul still loads $loaded, not the copy in $dir"; exit 1 ;;
  esac
  found_file="$loaded"
}

read -r found_package found_version found_file <<<"$(consul_origin)" || true
if [ -z "${found_file:-}" ]; then
  echo "python: no consul module; installing $need_package"
  "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq "$need_package"
  read -r found_package found_version found_file <<<"$(consul_origin)" || true
fi
if ! suits "${found_package:-}" "${found_version:-}"; then
  if [ "${found_package:-}" = - ]; then found="a consul module no Debian package owns (__version__ $found_version)"
  else found="${found_package:-nothing} ${found_version:-}"; fi
  echo "python: import consul loads $found from ${found_file:-nowhere}, not $need_package >= $need_version;" \
    "the client uses its own copy of $need_package instead (tests/ThirdPartyClients/python_modules)"
  use_own_copy
fi
echo "python: consul client $found_package $found_version from $found_file"

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
