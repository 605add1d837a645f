#!/usr/bin/env bash
# NativeAOT smoke test: publish tests/ServiceDiscovery.AspNetCore.AotSmoke (which roots the whole library), fail on
# any trim (IL2xxx) or AOT (IL3xxx) warning, run the native binary and check what it printed.
set -euo pipefail
cd "$(dirname "$0")/../.."

# NativeAOT links with clang and needs zlib's headers; install whatever is missing (CI runs as root).
missing=()
command -v clang >/dev/null 2>&1 || missing+=(clang)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) echo "no NativeAOT runtime identifier for $(uname -m)"; exit 1 ;;
esac

project=tests/ServiceDiscovery.AspNetCore.AotSmoke/ServiceDiscovery.AspNetCore.AotSmoke.csproj
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

set +e
dotnet publish "$project" -c Release -r "$rid" -o "$work/bin" >"$work/publish.log" 2>&1
publish_rc=$?
set -e
if grep -E "(warning|error) IL[23][0-9]{3}" "$work/publish.log"; then
  echo "aot-smoke: trim/AOT warnings above"
  exit 1
fi
if [ "$publish_rc" -ne 0 ]; then
  tail -n 50 "$work/publish.log"
  echo "aot-smoke: publish failed"
  exit 1
fi

output="$("$work/bin/ServiceDiscovery.AspNetCore.AotSmoke")"
echo "$output"
grep -q '^AOT smoke OK' <<<"$output"
echo "aot-smoke: passed in $(( $(date +%s) - started )) s (binary $(du -h "$work/bin/ServiceDiscovery.AspNetCore.AotSmoke" | cut -f1))"
