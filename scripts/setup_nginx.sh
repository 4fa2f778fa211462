#!/usr/bin/env bash
# nginx, the load balancer of `make run-cluster` and `make test-cluster`: Debian's package, never a
# download. Only the binary is used (scripts/cluster.py runs it with a generated config in a
# temporary folder); the system service is stopped and kept off, so port 80 stays free.
set -euo pipefail

if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
"$(dirname "$0")/apt_install.sh" nginx /usr/sbin/nginx "the scale-out setup"
# Debian starts the packaged service on port 80 where an init system runs; we never use it.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl disable --now nginx >/dev/null 2>&1 || true
elif command -v service >/dev/null 2>&1; then
  service nginx stop >/dev/null 2>&1 || true
fi
