#!/usr/bin/env bash
# Installs the system packages the test suite drives for real: PostgreSQL (a throwaway server)
# and Debian's Chromium (for Playwright; never a downloaded browser build).
set -euo pipefail
need=()
pg_bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(pg_bin_dir)" ] || [ ! -x "$(pg_bin_dir)/initdb" ] || [ ! -x "$(pg_bin_dir)/pgbench" ]; then
  need+=(postgresql postgresql-contrib)
fi
[ -x /usr/bin/chromium ] || need+=(chromium)
# GNU gettext: the test that every interface string has its Chinese translation extracts them.
command -v xgettext >/dev/null || need+=(gettext)
# Chinese glyphs, so that pages and screenshots render zh-Hans text.
fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk" || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  echo "Installing system packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # With recommended packages: Chromium relies on some of them (fonts, libraries) at run time.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
