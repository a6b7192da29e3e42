#!/usr/bin/env bash
# Replays measured TTFT/TPOT points (closed loop at the measured concurrency) through the scheduler
# simulation and prints the error table of its means. Default input: the reference set's
# measured-latency.csv (aiconfigurator's silicon_sample.csv, Apache-2.0, NVIDIA), not copied into the project.
set -euo pipefail
cd "$(dirname "$0")/.."
csv=$(realpath "${1:-../shared/reference/measured-latency.csv}")
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
HF_HUB_OFFLINE=1 java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.autoparallel.sim.SimulatorValidation "$csv"
