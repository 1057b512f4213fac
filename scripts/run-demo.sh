#!/usr/bin/env bash
# The demo server: a task worker (timers, payment notifications, refunds) and the evidence
# log's sequencer beside the web server, all stopped together.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/anxin db_worker --queue-name '*' --interval 1 --no-reload -v0 &
worker=$!
$BIN/anxin evidence sequence --interval 0.5 >/dev/null &
sequencer=$!
trap 'kill $worker $sequencer 2>/dev/null || true' EXIT INT TERM
echo "Task worker (pid $worker) and evidence sequencer (pid $sequencer) started."
echo "Serving on http://127.0.0.1:8000/ — Ctrl+C stops all three."
$BIN/anxin runserver 127.0.0.1:8000 --noreload
