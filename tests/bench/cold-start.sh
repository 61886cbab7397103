#!/usr/bin/env bash
# Benchmark: per handler, the median cold start (fresh JVM + no-arg constructor + first request
# against the emulator) and the size of the Lambda deployment package. Figures go to the README.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
runs=${1:-7}
endpoint=$(tests/localstack/localstack.sh start)
./mvnw -q -B -pl tests/tools -am install -DskipTests
./mvnw -q -B -pl tests/tools dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
bench_classes=$(mktemp -d)
trap 'rm -rf "$bench_classes"' EXIT
# Only the launcher joins the deployment package on the measured JVM's class path.
mkdir -p "$bench_classes/dev/amishare/tests/bench"
cp tests/tools/target/classes/dev/amishare/tests/bench/FirstInvocation.class "$bench_classes/dev/amishare/tests/bench/"
java -cp "tests/tools/target/classes:$(cat tests/tools/target/classpath.txt)" dev.amishare.tests.bench.ColdStartBenchmark \
  "$endpoint" functions/handlers/target/amishare-functions-lambda.jar "$bench_classes" "$runs"
