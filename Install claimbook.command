#!/bin/bash
# claimbook installer for the Mac: double-click this file in the Finder (or run it in Terminal).
# It finds Python 3.11 or newer and hands over to installer/install.py, which does the work for both
# this file and "Install claimbook.cmd" (Windows): makes ~/.claimbook/venv, installs claimbook from
# this folder (offline from a "wheels" folder when there is one), runs "claimbook excel install" and
# says what to do next. Running it again updates claimbook and keeps your tracker and payer rules.

here="$(cd "$(dirname "$0")" && pwd)"

finish() {
    # A double-clicked window stays open until the person has read it.
    if [ -t 0 ]; then
        echo
        read -r -p "Press Return to close this window. " _
    fi
    exit "$1"
}

if [ ! -f "$here/installer/install.py" ]; then
    echo "This file must stay in the claimbook folder (next to the 'installer' folder)."
    echo "If you opened a zip file, unzip it first (double-click it in the Finder), then double-click"
    echo "'Install claimbook.command' in the unzipped folder."
    finish 1
fi

new_enough() {
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

# python.org's installer first, then Homebrew, then whatever "python3" the PATH finds. (Apple's
# /usr/bin/python3 is too old, or asks to install developer tools, so it comes last and is checked.)
python=""
for candidate in "${CLAIMBOOK_PYTHON:-}" \
        /Library/Frameworks/Python.framework/Versions/3.1[1-9]/bin/python3 \
        /opt/homebrew/bin/python3 /usr/local/bin/python3 \
        "$(command -v python3.13 2>/dev/null)" "$(command -v python3.12 2>/dev/null)" \
        "$(command -v python3.11 2>/dev/null)" "$(command -v python3 2>/dev/null)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ] && new_enough "$candidate"; then
        python="$candidate"
        break
    fi
done

if [ -z "$python" ]; then
    echo "claimbook needs Python 3.11 or newer, and none was found on this Mac."
    echo "Download Python from https://www.python.org/downloads/ and install it,"
    echo "then double-click 'Install claimbook.command' again."
    finish 1
fi

echo "Using Python: $python"
"$python" "$here/installer/install.py" "$@"
finish $?
