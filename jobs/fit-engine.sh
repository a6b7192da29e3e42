#!/usr/bin/env bash
# Fits one engine's calibration (step overhead, prefill overhead, queue factor) on measured serving
# points: jobs/fit-engine.sh ENGINE [FILE.csv]. Default input: the reference set's
# measured-latency.csv (aiconfigurator's silicon_sample.csv, Apache-2.0, NVIDIA), not copied into
# the project. Prints the errors before and after; the fitted values go into ServingEngine by hand,
# with this run's date.
set -euo pipefail
cd "$(dirname "$0")/.."
engine=${1:?usage: jobs/fit-engine.sh vllm|sglang|trtllm [FILE.csv]}
csv=$(realpath "${2:-../shared/reference/measured-latency.csv}")
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
HF_HUB_OFFLINE=1 java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  dev.autoparallel.perf.EngineFit "$csv" "$engine"
