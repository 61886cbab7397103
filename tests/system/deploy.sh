#!/usr/bin/env bash
# Deploys amishare's CDK app into the emulator with the CDK CLI (aws-cdk + aws-cdk-local, pinned in
# package.json), as an operator deploys it into AWS: bootstraps the owner account 111111111111 and the
# target accounts 222222222222 and 333333333333, deploys AmishareOwner into the owner account, then
# AmishareConsumer into each target account, and into 222222222222 also in a second region (copies
# there send their state changes to the owner's bus in the owner's region). Running it again changes
# nothing (the CLI skips unchanged stacks). Prints the owner stack's outputs as JSON on stdout;
# progress goes to stderr.
#
#   AMISHARE_CDK_CLASSPATH=<class path holding dev.amishare.infra.AmishareApp> tests/system/deploy.sh [endpoint]
#
# The Lambda deployment package must be built (functions/handlers/target/amishare-functions-lambda.jar).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

endpoint=${1:-${AWS_ENDPOINT_URL:-http://127.0.0.1:${AMISHARE_LOCALSTACK_PORT:-4566}}}
owner=111111111111
targets=(222222222222 333333333333)
region=${AMISHARE_REGION:-us-east-1}
# A target that copies into a region without the owner stack: the consumer stack is deployed there too.
second_region=${AMISHARE_SECOND_REGION:-eu-west-1}
second_region_targets=(222222222222)
out=$PWD/tests/target/system
: "${AMISHARE_CDK_CLASSPATH:?set AMISHARE_CDK_CLASSPATH to the class path of the infra module}"

log() { echo "[deploy] $*" >&2; }

if [ ! -x node_modules/.bin/cdklocal ]; then
  log "installing the CDK CLI (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
mkdir -p "$out"

# cdklocal drops every AWS_* variable not allow-listed; the emulator maps an access key that is a
# 12-digit number to that account. The S3 endpoint is an IP address, so the SDK uses path-style URLs.
export AWS_ENDPOINT_URL="$endpoint" AWS_ENDPOINT_URL_S3="$endpoint" \
  AWS_ENVAR_ALLOWLIST=AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY,AWS_REGION,AWS_DEFAULT_REGION \
  AWS_SECRET_ACCESS_KEY=test AWS_REGION="$region" AWS_DEFAULT_REGION="$region" \
  JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1 CDK_DISABLE_CLI_TELEMETRY=1 \
  NODE_NO_WARNINGS=1
cli="$PWD/node_modules/.bin/cdklocal"
cdk() { # account, region, log name, cdklocal arguments...
  local account=$1 in_region=$2 name=$3
  shift 3
  if ! AWS_ACCESS_KEY_ID=$account AWS_REGION=$in_region AWS_DEFAULT_REGION=$in_region \
      "$cli" "$@" >"$out/$name.log" 2>&1; then
    log "cdk $* as $account in $in_region failed; last lines of $out/$name.log:"
    tail -n 25 "$out/$name.log" >&2
    return 1
  fi
}

started=$(date +%s)
# Bootstrapping and synthesizing are independent; both take ~10 s.
pids=()
bootstrap() { # account, region
  # From a folder without cdk.json: bootstrapping an explicit environment needs no app.
  mkdir -p "$out/bootstrap-$1-$2"
  (cd "$out/bootstrap-$1-$2" && cdk "$1" "$2" "bootstrap-$1-$2" bootstrap "aws://$1/$2")
}
for account in "$owner" "${targets[@]}"; do
  bootstrap "$account" "$region" & pids+=($!)
done
for account in "${second_region_targets[@]}"; do
  bootstrap "$account" "$second_region" & pids+=($!)
done
cdk "$owner" "$region" synth synth -q -o "$out/cdk.out" \
  --app "java -cp ${AMISHARE_CDK_CLASSPATH} dev.amishare.infra.AmishareApp" \
  -c ownerAccountId="$owner" -c ownerRegion="$region" \
  -c perimeterOrganizationId="${AMISHARE_PERIMETER_ORGANIZATION_ID:-o-amishare01}" \
  -c managementAccountId="${AMISHARE_MANAGEMENT_ACCOUNT_ID:-$owner}"
for pid in "${pids[@]}"; do wait "$pid"; done
log "bootstrapped $owner ${targets[*]} in $region, ${second_region_targets[*]} in $second_region; synthesized ($(( $(date +%s) - started )) s)"

cdk "$owner" "$region" deploy-owner deploy AmishareOwner --app "$out/cdk.out" --require-approval never \
  --outputs-file "$out/owner-outputs.json"
log "AmishareOwner in $owner ($(( $(date +%s) - started )) s)"
# The consumer role trusts the owner's two roles, so the owner stack goes first (as on AWS). The
# environment-agnostic template deploys into the region the CLI is given; only the stack in the owner's
# region creates the (global) consumer role, so the other regions' stacks need not wait for it.
pids=()
for account in "${targets[@]}"; do
  cdk "$account" "$region" "deploy-consumer-$account" deploy AmishareConsumer --app "$out/cdk.out" \
    --require-approval never & pids+=($!)
done
for account in "${second_region_targets[@]}"; do
  cdk "$account" "$second_region" "deploy-consumer-$account-$second_region" deploy AmishareConsumer \
    --app "$out/cdk.out" --require-approval never & pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
log "AmishareConsumer in ${targets[*]} ($region), ${second_region_targets[*]} ($second_region) ($(( $(date +%s) - started )) s)"
cat "$out/owner-outputs.json"
