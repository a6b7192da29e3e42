#!/usr/bin/env bash
# Replays measured TTFT/TPOT points through the throughput model and prints the error table.
# Default input: the reference set's measured-latency.csv (aiconfigurator's silicon_sample.csv,
# Apache-2.0, NVIDIA), which is not copied into the project.
set -euo pipefail
cd "$(dirname "$0")/.."
csv=$(realpath "${1:-../shared/reference/measured-latency.csv}")
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
HF_HUB_OFFLINE=1 java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.autoparallel.perf.LatencyValidation "$csv"
