#!/usr/bin/env bash
# Runs the sweep job in Spark local mode (local[*]) on this machine: no Spark installation, no
# network. Builds first when needed.  Usage: jobs/sweep.sh SPEC.json [OUTPUT_DIR]
# Extra JVM options (e.g. a bigger heap) go in SWEEP_JAVA_OPTS.
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: jobs/sweep.sh SPEC.json [OUTPUT_DIR]" >&2
  exit 2
fi
spec=$(realpath -m "$1")
out=${2:+$(realpath -m "$2")}
cd "$(dirname "$0")/.."
jobs/build-classpath.sh
export SPARK_LOCAL_IP=127.0.0.1
exec java @target/classes/spark-jvm.args -Xmx${SWEEP_HEAP:-4g} ${SWEEP_JAVA_OPTS:-} \
  -Dlog4j2.configurationFile=classpath:autoparallel-log4j2.properties \
  -cp "target/autoparallel.jar:$(cat target/spark-classpath.txt)" dev.autoparallel.sweep.SweepJob "$spec" ${out:+"$out"}
