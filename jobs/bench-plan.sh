#!/usr/bin/env bash
# JMH benchmark of fleet planning (one thread): Llama-3.3-70B on up to 4 x 8 H100 for 10 requests/s
# within p90 targets, analytic search alone and with the scheduler simulation. Plans per second per
# core. Extra arguments go to JMH (e.g. -wi 1 -i 2).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
  -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" org.openjdk.jmh.Main \
  -jvmArgs "-Xmx2g" "PlanBenchmark" "$@"
