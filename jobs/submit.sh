#!/usr/bin/env bash
# Submits the sweep to a Spark cluster with spark-submit. The jar carries the app and its
# non-Spark dependencies (Spark itself is 'provided': the cluster brings it).
#
#   jobs/submit.sh --master spark://HOST:7077 [spark-submit options...] -- SPEC.json OUTPUT_DIR
#
# Everything before '--' goes to spark-submit (--master, --deploy-mode, --executor-memory,
# --total-executor-cores, --conf ...); SPEC and OUTPUT_DIR go to the job. OUTPUT_DIR must be on a
# filesystem the driver and the executors share (results.parquet is written by the executors).
# Uses $SPARK_HOME/bin/spark-submit when SPARK_HOME is set, else spark-submit on the PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
submit_args=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  submit_args+=("$1")
  shift
done
if [ $# -lt 2 ] || [ "$1" != "--" ]; then
  echo "usage: jobs/submit.sh --master URL [spark-submit options] -- SPEC.json OUTPUT_DIR" >&2
  exit 2
fi
shift
jobs/build-classpath.sh
spark_submit=${SPARK_HOME:+$SPARK_HOME/bin/}spark-submit
exec "$spark_submit" "${submit_args[@]}" --class dev.autoparallel.sweep.SweepJob \
  --conf spark.ui.showConsoleProgress=true target/autoparallel.jar "$@"
