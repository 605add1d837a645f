#!/usr/bin/env bash
# Smoke test: the one-command demo (README's first command) must complete its walk-through and exit 0.
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$(date +%s)
timeout 180 dotnet run -c Release --no-build --project samples/Demo
echo "demo: passed in $(( $(date +%s) - started )) s"
