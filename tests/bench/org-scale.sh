#!/usr/bin/env bash
# Benchmark: one share with N launch-only fleet accounts (default 1000) on the deployed system. Prints the
# wall time, the parent execution's history events, each Map Run's child executions, the owner account's
# mutating calls by operation (the emulator's request log) and each key policy's size.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
targets=${1:-1000}
endpoint=$(tests/localstack/localstack.sh start)
./mvnw -q -B -pl tests/tools -am package -DskipTests
classpath="tests/tools/target/classes:$(cat tests/tools/target/classpath.txt)"
java -cp "$classpath" dev.amishare.tests.bench.OrgScaleBenchmark "$endpoint" "$classpath" "$targets"
