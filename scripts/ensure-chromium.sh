#!/usr/bin/env bash
# Make sure Debian's chromium is there for the browser tests; install it if we can.
set -u
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq chromium >/dev/null && command -v chromium >/dev/null && exit 0
fi
cat >&2 <<'MSG'
The browser tests need Chromium, and it is not installed.
Install it with:  sudo apt-get install chromium   (Debian/Ubuntu)
or set PHCPM_CHROMIUM to the path of a Chromium or Chrome executable.
MSG
[ -n "${PHCPM_CHROMIUM:-}" ] && [ -x "${PHCPM_CHROMIUM}" ] && exit 0
exit 1
