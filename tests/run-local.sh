#!/usr/bin/env bash
# The README's main command: runs amishare on the local emulator (LocalStack in host mode, installed
# on first use): shares an AMI encrypted under two customer-managed keys from account 111111111111
# with 222222222222 through every stage handler, copies it under the consumer's key, prints the report. The emulator keeps running afterwards so the result can
# be inspected; stop it with tests/localstack/localstack.sh stop.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

endpoint=$(tests/localstack/localstack.sh start)
echo "emulator: $endpoint"
# Compile only: the stages run in this JVM, so the Lambda package (shade, ProGuard) is not needed;
# within the reactor the class path points at the other modules' target/classes.
./mvnw -q -B -pl tests -am compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
# The handlers' JSON decision lines stay quiet here; the demo prints its own report.
AMISHARE_LOG_LEVEL=${AMISHARE_LOG_LEVEL:-WARN} \
  java -cp "tests/target/classes:$(cat tests/target/classpath.txt)" dev.amishare.tests.LocalDemo "$endpoint"
echo "the emulator is still running at $endpoint; stop it with: tests/localstack/localstack.sh stop"
