#!/usr/bin/env bash
# Replays measured serving points through the roofline and through the measured-kernel speed model
# (PerfModel.withMeasuredKernels, the tables of jobs/calibrate.sh) and prints the median absolute
# TTFT and TPOT errors of both per model x engine x GPU: jobs/compare-kernels.sh [FILE.csv].
# Default input: the reference set's measured-latency.csv (Apache-2.0, NVIDIA), not copied into the project.
set -euo pipefail
cd "$(dirname "$0")/.."
csv=$(realpath "${1:-../shared/reference/measured-latency.csv}")
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
HF_HUB_OFFLINE=1 java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.autoparallel.perf.KernelPathReport "$csv"
