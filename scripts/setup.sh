#!/usr/bin/env bash
# Creates .venv with Python 3.10 (Rasa 3.6 needs 3.8–3.10) and installs the pinned
# dependencies; does nothing when both are already in place.
set -euo pipefail
cd "$(dirname "$0")/.."

is_310() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; }

find_python() {
  if command -v python3.10 >/dev/null 2>&1 && is_310 python3.10; then
    command -v python3.10; return 0
  fi
  if command -v pyenv >/dev/null 2>&1; then
    local root version
    root=$(pyenv root)
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.[0-9]+)?$' | sort -t. -k3 -n -r); do
      if is_310 "$root/versions/$version/bin/python3.10"; then
        echo "$root/versions/$version/bin/python3.10"; return 0
      fi
    done
  fi
  local candidate
  for candidate in "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
    if [ -x "$candidate" ] && is_310 "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

wanted=$(cat requirements.txt constraints.txt | sha256sum | cut -d' ' -f1)

# make_env DIR: a Python 3.10 environment with the pinned dependencies in DIR.
make_env() {
  local dir=$1
  if [ -x "$dir/bin/python" ] && is_310 "$dir/bin/python"; then
    :
  else
    if ! python=$(find_python); then
      cat >&2 <<'MSG'
Error: no Python 3.10 found. Rasa 3.6.21 needs Python 3.8–3.10; this project uses 3.10.
Looked for: python3.10 on PATH, pyenv versions 3.10.x, ~/.pyenv/versions/3.10*, /usr/bin/python3.10.
Install it, e.g. with "pyenv install 3.10.13" or "apt-get install python3.10 python3.10-venv",
then run the command again.
MSG
      exit 1
    fi
    echo "Creating $dir with $python"
    rm -rf "$dir"
    "$python" -m venv "$dir"
  fi
  if [ "$(cat "$dir/.requirements.sha256" 2>/dev/null)" != "$wanted" ]; then
    echo "Installing pinned dependencies into $dir (about 2 minutes the first time) …"
    "$dir/bin/python" -m pip install --quiet --upgrade pip
    "$dir/bin/python" -m pip install --quiet -r requirements.txt -c constraints.txt
    echo "$wanted" > "$dir/.requirements.sha256"
  fi
}

# Clones on one machine share a finished environment of the same pins (like a CI cache):
# .venv links to $COACH_ENV_CACHE/venv-<hash of the pins>, built once under a lock; the two
# newest are kept. COACH_ENV_CACHE=off builds .venv in the project folder.
cache=${COACH_ENV_CACHE:-$HOME/.cache/ausreden-coach}
if [ -L .venv ] && [ "$(cat .venv/.requirements.sha256 2>/dev/null)" != "$wanted" ]; then
  rm .venv  # shared with other pins (or gone): never install into it
fi
if [ ! -e .venv ] && [ "$cache" != off ]; then
  mkdir -p "$cache"
  (
    flock 9
    make_env "$cache/venv-$wanted"
    ls -dt "$cache"/venv-* | tail -n +3 | xargs -r rm -rf
  ) 9>"$cache/.lock"
  ln -s "$cache/venv-$wanted" .venv
  echo "Using the shared environment $cache/venv-$wanted"
fi
make_env .venv

# The chat page's widget (web/package-lock.json pins rasa-webchat and everything it pulls in).
# --ignore-scripts: only the prebuilt bundle is used, no package needs to run install scripts.
if ! command -v npm >/dev/null 2>&1; then
  echo "Error: npm not found; the chat page needs Node.js 18+ with npm (e.g. apt-get install nodejs npm)." >&2
  exit 1
fi
widget_lock=$(sha256sum web/package-lock.json | cut -d' ' -f1)
if [ ! -d web/node_modules ] || [ "$(cat web/node_modules/.package-lock.sha256 2>/dev/null)" != "$widget_lock" ]; then
  echo "Installing the chat widget into web/node_modules …"
  npm ci --prefix web --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$widget_lock" > web/node_modules/.package-lock.sha256
fi
