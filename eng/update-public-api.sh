#!/usr/bin/env bash
# Adds every symbol that PublicApiAnalyzers reports as undeclared (RS0016) to that project's
# PublicAPI.Unshipped.txt, then sorts it. Review the diff: each new line is a public API decision.
# Usage: eng/update-public-api.sh src/ServiceDiscovery.AspNetCore
set -euo pipefail
project="${1:?usage: eng/update-public-api.sh src/<Project>}"
unshipped="$project/PublicAPI.Unshipped.txt"
dotnet build "$project" -c Release -p:TreatWarningsAsErrors=false 2>&1 \
  | grep -o "RS0016: Symbol '[^']*'" | sed "s/RS0016: Symbol '\(.*\)'/\1/" | sort -u > /tmp/rs0016.txt || true
{ grep -v '^#nullable' "$unshipped" || true; cat /tmp/rs0016.txt; } | sort -u > /tmp/unshipped.txt
{ echo '#nullable enable'; cat /tmp/unshipped.txt; } > "$unshipped"
echo "$(wc -l < /tmp/rs0016.txt) symbol(s) added to $unshipped"
