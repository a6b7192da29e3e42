#!/usr/bin/env bash
# Fits one engine's calibration (step overhead, prefill overhead, queue factor) on measured serving
# points: jobs/fit-engine.sh ENGINE [FILE.csv] [--kernels]. Default input: the reference set's
# measured-latency.csv (aiconfigurator's silicon_sample.csv, Apache-2.0, NVIDIA), not copied into
# the project. --kernels fits the calibration of the measured-kernel path (ServingEngine's
# kernelCalibration) on the rows that path predicts, instead of the roofline's. Prints the errors
# before and after; the fitted values go into ServingEngine by hand, with this run's date.
set -euo pipefail
cd "$(dirname "$0")/.."
kernels=()
args=()
for a in "$@"; do
  if [ "$a" = "--kernels" ]; then kernels=(--kernels); else args+=("$a"); fi
done
engine=${args[0]:?usage: jobs/fit-engine.sh vllm|sglang|trtllm [FILE.csv] [--kernels]}
csv=$(realpath "${args[1]:-../shared/reference/measured-latency.csv}")
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
HF_HUB_OFFLINE=1 java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.autoparallel.perf.EngineFit "$csv" "$engine" "${kernels[@]}"
