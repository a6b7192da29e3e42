#!/usr/bin/env bash
# Builds target/autoparallel.jar and target/spark-classpath.txt (the Spark jars, which the app jar
# leaves out as 'provided') when they are missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
stale=0
[ -f target/autoparallel.jar ] && [ -f target/spark-classpath.txt ] || stale=1
if [ $stale -eq 0 ] && [ -n "$(find src templates pom.xml -newer target/autoparallel.jar -print -quit)" ]; then
  stale=1
fi
if [ $stale -eq 1 ]; then
  mvn -B -q -DskipTests package dependency:build-classpath -Dmdep.includeScope=compile \
    -Dmdep.outputFile=target/spark-classpath.txt
fi
