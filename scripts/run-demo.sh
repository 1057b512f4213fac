#!/usr/bin/env bash
# The demo server: a task worker (timers, payment notifications, refunds) beside the web server,
# both stopped together.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/anxin db_worker --queue-name '*' --interval 1 --no-reload -v0 &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
echo "Task worker started (pid $worker). Serving on http://127.0.0.1:8000/ — Ctrl+C stops both."
$BIN/anxin runserver 127.0.0.1:8000 --noreload
