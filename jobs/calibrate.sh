#!/usr/bin/env bash
# Reduces the measured operator timings of ../shared/reference/op-perf/ (NVIDIA aiconfigurator,
# Apache-2.0, snapshot 2026-08-21, commit 095f58a) to the kernel tables under src/main/resources/perf/,
# in Spark local mode (local[*], UI off, bound to 127.0.0.1). Builds first when needed.
# Usage: jobs/calibrate.sh [OP_PERF_DIR] [OUT_DIR]
set -euo pipefail
root=$(realpath -m "${1:-../shared/reference/op-perf}")
cd "$(dirname "$0")/.."
out=$(realpath -m "${2:-src/main/resources/perf}")
jobs/build-classpath.sh
export SPARK_LOCAL_IP=127.0.0.1
exec java @target/classes/spark-jvm.args -Xmx${CALIBRATE_HEAP:-4g} \
  -Dlog4j2.configurationFile=classpath:autoparallel-log4j2.properties \
  -cp "target/autoparallel.jar:$(cat target/spark-classpath.txt)" dev.autoparallel.sweep.CalibrateJob "$root" "$out"
