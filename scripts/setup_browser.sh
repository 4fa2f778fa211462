#!/usr/bin/env bash
# Chromium for the browser test (tests/test_browser.py): Debian's package, never a download.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Error: /usr/bin/chromium is missing. Install it as root: apt-get install -y chromium" >&2
  exit 1
fi
echo "Installing Chromium for the browser test (apt-get) …"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
  echo "Error: apt-get could not install chromium; install it yourself: apt-get install -y chromium" >&2
  exit 1
fi
