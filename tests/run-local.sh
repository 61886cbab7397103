#!/usr/bin/env bash
# The README's main command: runs amishare as deployed, on the local emulator (LocalStack in host
# mode, installed on first use). Deploys the owner stack into 111111111111 and the consumer stack into
# 222222222222 and 333333333333 with the CDK CLI, creates in the owner account an AMI whose two
# volumes are encrypted under two customer-managed keys, shares it with 222222222222 through the
# deployed workflow with a copy re-encrypted under the consumer's key, and prints the report. The
# emulator keeps running afterwards so the result can be inspected; stop it with
# tests/localstack/localstack.sh stop.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=$(date +%s)
endpoint=$(tests/localstack/localstack.sh start)
echo "emulator: $endpoint"

# Build the Lambda package, the CDK app and this demo unless nothing changed since the last build
# (packaging runs the shader and ProGuard, ~1 min).
stamp=tests/target/system/.built
if [ ! -f "$stamp" ] || [ ! -f tests/tools/target/classpath.txt ] || \
   [ -n "$(find pom.xml functions statemachine infra tests/pom.xml tests/harness tests/tools \
            -newer "$stamp" -type f -not -path '*/target/*' -print -quit)" ]; then
  echo "building (Lambda package, CDK app)"
  mkdir -p tests/target/system
  touch "$stamp.new"
  ./mvnw -q -B -pl tests/tools -am package -DskipTests
  mv "$stamp.new" "$stamp"
fi
classpath="tests/tools/target/classes:$(cat tests/tools/target/classpath.txt)"
# The handlers' JSON decision lines stay in the functions' logs; the demo prints its own report.
java -cp "$classpath" dev.amishare.tests.tools.SystemDemo "$endpoint" "$classpath"
echo "took $(( $(date +%s) - started )) s; the emulator is still running at $endpoint; stop it with: tests/localstack/localstack.sh stop"
