#!/usr/bin/env bash
# Replays measured TTFT/TPOT points through the throughput model (the CLI's validate-latency) and
# prints the error table per model x engine x GPU. Default input: the reference set's
# measured-latency.csv (aiconfigurator's silicon_sample.csv, Apache-2.0, NVIDIA), which is not
# copied into the project. Extra arguments go to the command (--json, --rows).
set -euo pipefail
cd "$(dirname "$0")/.."
csv=$(realpath "${1:-../shared/reference/measured-latency.csv}")
shift || true
[ -f target/autoparallel.jar ] || mvn -B -q -DskipTests package
HF_HUB_OFFLINE=1 exec java -jar target/autoparallel.jar validate-latency "$csv" "$@"
