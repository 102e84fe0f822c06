#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine, then lint and run the tests.
# Used by CI (.ci/run) and by developers alike: `bash scripts/test.sh [pytest args]`.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# System packages: Debian's Chromium for the browser tests (never Playwright's download).
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
# The code sandbox (hireflow/coding, docs/coding.md): bubblewrap, libseccomp, Debian's own
# python3 (the in-sandbox harness) and the toolchains of the coding languages. Go is optional.
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
[ -e /usr/lib/x86_64-linux-gnu/libseccomp.so.2 ] || [ -e /usr/lib/aarch64-linux-gnu/libseccomp.so.2 ] || need+=(libseccomp2)
[ -x /usr/bin/python3 ] || need+=(python3)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v go >/dev/null 2>&1 || [ -n "${HIREFLOW_SKIP_GO:-}" ] || need+=(golang-go)
# A Chinese font, so the browser tests' screenshots show words rather than empty boxes and the
# offer letters (WeasyPrint, docs/offers.md) embed Chinese glyphs; Pango lays the letters out.
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || need+=(libpango-1.0-0)
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || need+=(libpangoft2-1.0-0)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${need[*]}"
  as_root apt-get update -qq || true
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Services the database and queue tests use: start them if this machine has them stopped.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "== starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "== starting Redis"
  as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
fi

# Bytecode caches kept: the tests start many Python processes (servers, workers) and each one
# compiled every module from source where PYTHONDONTWRITEBYTECODE was set (0.3-0.6 s CPU each).
unset PYTHONDONTWRITEBYTECODE

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
echo "== installing hireflow[test,speech,vision,sandbox]"
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test,speech,vision,sandbox]'

echo "== lint"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/python scripts/typecheck.py

# Tests run in parallel, one pytest-xdist worker per CPU this process may use (`nproc`),
# `--dist loadgroup` so that tests marked `xdist_group` (they share a Redis database) stay on
# one worker. HIREFLOW_TEST_WORKERS=1 runs them serially in one process (=N picks N workers);
# `-n`/`--numprocesses`/`--dist`/`-p no:xdist` among the arguments are passed through as given
# (with `--dist loadgroup` added to a `-n` that comes without a `--dist`).
# At most 8 by default: every worker migrates its own databases and starts its own demo server
# and Chromium for the browser tests.
parallel=()
cpus=$(nproc 2>/dev/null || echo 1)
workers=${HIREFLOW_TEST_WORKERS:-$((cpus < 8 ? cpus : 8))}
given_n='' given_dist=''
for arg in "$@"; do
  case "$arg" in
    -n | -n* | --numprocesses*) given_n=1 ;;
    --dist* | -pno:xdist | no:xdist) given_dist=1 ;;
  esac
done
if [ -n "$given_n" ] && [ -z "$given_dist" ]; then
  parallel=(--dist loadgroup)
elif [ -z "$given_n$given_dist" ] && [ "$workers" -gt 1 ] 2>/dev/null; then
  parallel=(-n "$workers" --dist loadgroup)
fi
echo "== tests (SQLite and PostgreSQL)${parallel[*]:+, ${parallel[*]}}"
# The 30 slowest tests are printed at the end, so a growing suite shows where its time goes.
exec .venv/bin/python -m pytest -q --durations=30 "${parallel[@]}" "$@"
