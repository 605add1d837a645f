#!/usr/bin/env bash
# Real third-party Consul clients (npm consul 2.0.1, Debian python3-consul2) against the DevAgent.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/ThirdPartyClients/run.sh
