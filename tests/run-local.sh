#!/usr/bin/env bash
# The README's main command: runs amishare on the local emulator (LocalStack in host mode, installed
# on first use) and prints what it shared. The emulator keeps running afterwards so the result can
# be inspected; stop it with tests/localstack/localstack.sh stop.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

endpoint=$(tests/localstack/localstack.sh start)
echo "emulator: $endpoint"
./mvnw -q -B -pl tests -am install -DskipTests
./mvnw -q -B -pl tests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
java -cp "tests/target/classes:$(cat tests/target/classpath.txt)" dev.amishare.tests.LocalDemo "$endpoint"
echo "the emulator is still running at $endpoint; stop it with: tests/localstack/localstack.sh stop"
