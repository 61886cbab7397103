#!/usr/bin/env bash
# Installs, starts and stops the emulator amishare's tests run against: LocalStack 2026.3.0 (the
# last open-source release) in host mode, from PyPI, with amishare's LocalStack extension.
#
#   tests/localstack/localstack.sh install   create the virtualenv under $AMISHARE_CACHE (once)
#   tests/localstack/localstack.sh start     install if needed, start, wait until healthy, print the endpoint
#   tests/localstack/localstack.sh stop      stop the instance this script started
#   tests/localstack/localstack.sh status    exit 0 when an emulator answers on the port
#
# Settings: AMISHARE_CACHE (default ~/.cache/amishare), AMISHARE_LOCALSTACK_PORT (default 4566),
# AMISHARE_PYTHON (a Python >= 3.12; found on PATH or under ~/.pyenv otherwise), SFN_MOCK_CONFIG (the
# Step Functions Local mock configuration; default localstack/sfn-mock-config.json, which the workflow
# ITs use by starting executions with "<state machine ARN>#<test case>"; LocalStack re-reads it on change).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${AMISHARE_CACHE:-$HOME/.cache/amishare}
port=${AMISHARE_LOCALSTACK_PORT:-4566}
endpoint="http://127.0.0.1:${port}"
lock="$here/requirements.lock"
ext="$here/../localstack-ext"
run_dir="$cache/run"
pid_file="$run_dir/localstack-$port.pid"
log_file="$run_dir/localstack-$port.log"
# organizations: served by the amishare extension from its membership file (not a community service);
# dynamodb: served by the extension's provider "amishare" (moto's backend), see PROVIDER_OVERRIDE_DYNAMODB
services=ec2,kms,sts,iam,stepfunctions,events,apigateway,lambda,cloudformation,s3,logs,ssm,organizations,dynamodb

log() { echo "[localstack] $*" >&2; }

# localstack-core 2026.3.0 declares Python >= 3.10 but uses PEP 695 generics
# (localstack/services/stores.py: "class RegionBundle[BaseStoreType]"), so it needs 3.12 or newer.
find_python() {
  local c
  for c in "${AMISHARE_PYTHON:-}" python3.13 python3.12 python3 "$HOME"/.pyenv/versions/3.13*/bin/python3 \
           "$HOME"/.pyenv/versions/3.12*/bin/python3; do
    [ -n "$c" ] || continue
    command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || continue
    if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      command -v "$c" 2>/dev/null || echo "$c"
      return 0
    fi
  done
  log "no Python 3.12+ found (LocalStack 2026.3.0 needs it); set AMISHARE_PYTHON to one"
  return 1
}

fingerprint() {
  { cat "$lock"; [ -d "$ext" ] && find "$ext" -type f \( -name '*.py' -o -name '*.toml' -o -name '*.cfg' -o -name '*.json' \) \
      -not -path '*/build/*' -not -path '*.egg-info*' -print0 | sort -z | xargs -0 cat; } | sha256sum | cut -c1-16
}

venv_dir() {
  echo "$cache/localstack-2026.3.0-$(sha256sum "$lock" | cut -c1-12)"
}

install() {
  local venv py stamp want
  venv=$(venv_dir)
  stamp="$venv/.amishare-installed"
  want=$(fingerprint)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$venv"
    return 0
  fi
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import localstack' 2>/dev/null; then
    py=$(find_python)
    log "creating $venv with $py (first run only; takes a few minutes)"
    rm -rf "$venv"
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -r "$lock" >&2
  fi
  if [ -d "$ext" ]; then
    log "installing the amishare extension into the emulator"
    rm -rf "$ext/build"
    # No build isolation: setuptools is in the venv already, so no package index is needed here.
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall "$ext" >&2
    rm -rf "$ext/build" "$ext"/*.egg-info "$ext"/src/*.egg-info
  fi
  echo "$want" > "$stamp"
  echo "$venv"
}

healthy() {
  curl -sf -m 2 "$endpoint/_localstack/health" >/dev/null 2>&1
}

start() {
  if healthy; then
    log "an emulator already answers on $endpoint; using it"
    echo "$endpoint"
    return 0
  fi
  local venv
  venv=$(install)
  mkdir -p "$run_dir" "$run_dir/volume-$port"
  log "starting LocalStack on $endpoint (log: $log_file)"
  # setsid: the emulator gets its own process group, so stop can end it and everything it started.
  # LAMBDA_RUNTIME_EXECUTOR: Java functions run as local JVMs under AWS's runtime interface client
  # (the extension's executor), since there is no Docker. AMISHARE_LAMBDA_CODE=jar puts a deployment
  # jar on the class path as it is instead of unzipping its 20,000 files (create → active in ~1 s).
  # DISABLE_EVENTS: offline, LocalStack's analytics hook blocks its shutdown.
  # PROVIDER_OVERRIDE_DYNAMODB=amishare: DynamoDB from the extension (moto's backend); LocalStack's own
  # provider runs DynamoDB Local, a Java download whose licence rules it out here.
  GATEWAY_LISTEN="127.0.0.1:$port" \
  DNS_ADDRESS=0 \
  SKIP_SSL_CERT_DOWNLOAD=1 \
  SERVICES="$services" \
  LOCALSTACK_VOLUME_DIR="$run_dir/volume-$port" \
  EAGER_SERVICE_LOADING=0 \
  LAMBDA_RUNTIME_EXECUTOR="${LAMBDA_RUNTIME_EXECUTOR:-amishare-local-jvm}" \
  AMISHARE_LAMBDA_CODE="${AMISHARE_LAMBDA_CODE:-jar}" \
  DISABLE_EVENTS=1 \
  PROVIDER_OVERRIDE_DYNAMODB="${PROVIDER_OVERRIDE_DYNAMODB:-amishare}" \
  SFN_MOCK_CONFIG="${SFN_MOCK_CONFIG:-$here/sfn-mock-config.json}" \
  setsid "$venv/bin/python" -m localstack.runtime.main >"$log_file" 2>&1 < /dev/null &
  echo $! > "$pid_file"
  local i
  for i in $(seq 1 120); do
    if healthy; then
      log "ready after ${i}s"
      echo "$endpoint"
      return 0
    fi
    if ! kill -0 "$(cat "$pid_file")" 2>/dev/null; then
      log "LocalStack exited during start-up; last lines of its log:"
      tail -n 30 "$log_file" >&2
      return 1
    fi
    sleep 1
  done
  log "LocalStack did not become healthy in 120s; last lines of its log:"
  tail -n 30 "$log_file" >&2
  stop
  return 1
}

stop() {
  [ -f "$pid_file" ] || { log "nothing to stop on port $port"; return 0; }
  local pid i
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 30); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "stopped"
  fi
  rm -f "$pid_file"
}

case "${1:-}" in
  install) install >/dev/null ;;
  start) start ;;
  stop) stop ;;
  status) healthy ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
