#!/usr/bin/env bash
# Chromium for the browser test (tests/test_browser.py): Debian's package, never a download.
set -euo pipefail
exec "$(dirname "$0")/apt_install.sh" chromium /usr/bin/chromium "the browser test"
