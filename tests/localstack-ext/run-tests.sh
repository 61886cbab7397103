#!/usr/bin/env bash
# Runs the amishare LocalStack extension's Python tests (pytest + boto3) against the emulator.
#   tests/localstack-ext/run-tests.sh [pytest args...]
# Uses $AWS_ENDPOINT_URL when set; otherwise starts the emulator with tests/localstack/localstack.sh
# (which installs this extension) and stops it at the end only if this script started it.
# Exits with pytest's exit code.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
script="$here/../localstack/localstack.sh"
pytest_version=8.3.5

# the emulator's virtualenv (same path as localstack.sh computes), with this extension installed
bash "$script" install
venv="${AMISHARE_CACHE:-$HOME/.cache/amishare}/localstack-2026.3.0-$(sha256sum "$here/../localstack/requirements.lock" | cut -c1-12)"
python="$venv/bin/python"

if ! "$python" -c "import pytest, sys; sys.exit(0 if pytest.__version__ == '$pytest_version' else 1)" 2>/dev/null; then
  echo "[run-tests] installing pytest $pytest_version into $venv" >&2
  "$python" -m pip install --quiet --disable-pip-version-check "pytest==$pytest_version" >&2
fi

started=0
if [ -z "${AWS_ENDPOINT_URL:-}" ]; then
  if ! bash "$script" status; then
    started=1
  fi
  endpoint=$(bash "$script" start | tail -n 1)
  export AWS_ENDPOINT_URL="$endpoint"
fi

set +e
"$python" -m pytest "$here/tests" -p no:cacheprovider "$@"
rc=$?
set -e

if [ "$started" = 1 ]; then
  bash "$script" stop || true
fi
exit $rc
