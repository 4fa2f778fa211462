#!/usr/bin/env bash
# Installs one Debian package unless its program is already there; never a download from
# elsewhere. Usage: scripts/apt_install.sh PACKAGE PROGRAM "what it is for"
# PROGRAM is a path (/usr/bin/chromium, or a data file the package installs such as
# /usr/share/hunspell/de_DE.dic) or a command name (nginx).
set -euo pipefail

package=$1 program=$2 purpose=$3
if { [[ $program == */* ]] && [ -e "$program" ]; } || { [[ $program != */* ]] && command -v "$program" >/dev/null 2>&1; }; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Error: $program is missing. Install it as root: apt-get install -y $package" >&2
  exit 1
fi
echo "Installing $package for $purpose (apt-get) …"
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >/dev/null; }; then
  echo "Error: apt-get could not install $package; install it yourself: apt-get install -y $package" >&2
  exit 1
fi
