#!/usr/bin/env bash
# JMH benchmark of latency estimates (one thread): Llama-3.1-70B at TP 4 on H100, 2,048 in / 512 out at
# 32 in flight, the speed alone and with the engine view sized first. Prints estimates per second per
# core. Extra arguments go to JMH (e.g. -wi 1 -i 2).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
  -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" org.openjdk.jmh.Main \
  -jvmArgs "-Xmx2g" "EstimateBenchmark" "$@"
