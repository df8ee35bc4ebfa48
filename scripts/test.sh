#!/usr/bin/env bash
# The test command: lint (ruff), types (mypy, strict on simulators/), then the tests.
#   scripts/test.sh              lint + types + default test run
#   scripts/test.sh --lint-only  lint + types
#   scripts/test.sh --slow       also the real-time and soak variants
# Extra arguments after -- go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
lint_only=0
pytest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --lint-only) lint_only=1 ;;
    --slow) pytest_args+=(--uclab-slow) ;;
    --) shift; pytest_args+=("$@"); break ;;
    *) pytest_args+=("$1") ;;
  esac
  shift
done

echo "[test] ruff"
.venv/bin/ruff check simulators uclab tests suites benchmarks reports conftest.py
.venv/bin/ruff format --check simulators uclab tests suites benchmarks reports conftest.py
echo "[test] mypy"
.venv/bin/mypy
[ "$lint_only" = 1 ] && exit 0

echo "[test] pytest"
# leftovers of earlier crashed runs must not disturb this one (live runs are left alone)
.venv/bin/uclab clean >/dev/null
# -n 2: the machine has two cores; pytest exits 5 when it collects nothing, which fails here
exec "$PY" -m pytest tests suites -n 2 --dist loadfile -q "${pytest_args[@]}"
