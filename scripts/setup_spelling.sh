#!/usr/bin/env bash
# hunspell and its German dictionary for the spell check (tests/test_spelling.py): Debian's
# packages, never a download. Does nothing when both are there.
set -euo pipefail
here=$(dirname "$0")
"$here/apt_install.sh" hunspell /usr/bin/hunspell "the German spell check"
"$here/apt_install.sh" hunspell-de-de /usr/share/hunspell/de_DE.dic "the German spell check"
