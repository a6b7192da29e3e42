#!/usr/bin/env bash
# JMH benchmark of AutoParallel.analyze (one thread): Llama-2-70B on 4 x 8 x H100 and Mixtral-8x7B
# on 1 x 8 x H100. Prints analyses per second per core. Extra arguments go to JMH (e.g. -wi 1 -i 2).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -Pbench -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt \
  -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" org.openjdk.jmh.Main \
  -jvmArgs "-Xmx2g" "AnalyzeBenchmark" "$@"
