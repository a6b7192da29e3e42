#!/usr/bin/env bash
# Fits one engine's calibration (step overhead, prefill overhead, queue factor) of one step source
# on the measured serving points that source predicts, then each benchmark harness's own queue on
# its rows (with "harness" last: only those, on the calibration as it is; with "burst" last, each harness's queue
# with a first-burst term as well, EngineCalibration#burstFactor):
#   jobs/fit-engine.sh ENGINE [FILE.csv] [roofline|measured_kernels|measured_experts] [harness|burst]
# Default input: the reference set's measured-latency.csv (aiconfigurator's silicon_sample.csv,
# Apache-2.0, NVIDIA), not copied into the project; default source: roofline. Prints the errors
# before and after; the fitted values go into ServingEngine by hand, with this run's date.
set -euo pipefail
cd "$(dirname "$0")/.."
engine=${1:?usage: jobs/fit-engine.sh vllm|sglang|trtllm [FILE.csv] [roofline|measured_kernels|measured_experts] [harness|burst]}
csv=$(realpath "${2:-../shared/reference/measured-latency.csv}")
source=${3:-roofline}
only=${4:-}
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
HF_HUB_OFFLINE=1 java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.autoparallel.perf.EngineFit "$csv" "$engine" "$source" $only
