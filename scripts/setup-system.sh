#!/bin/sh
# System packages cardpress needs, installed through the OS package manager.
#   scripts/setup-system.sh          what a build needs (Python venv, Pango for WeasyPrint)
#   scripts/setup-system.sh --test   plus what the tests need (Chromium, poppler-utils)
# Installs nothing that is already there; says clearly what is missing when
# it cannot install (no root, no sudo, unknown OS).
set -eu

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

say() { printf 'setup: %s\n' "$*" >&2; }

if [ "$(uname -s)" = "Darwin" ]; then
    if ! command -v brew >/dev/null 2>&1; then
        say "Homebrew not found: install it (https://brew.sh), then: brew install pango"
        exit 1
    fi
    brew list pango >/dev/null 2>&1 || brew install pango
    if [ "$want_test" = 1 ]; then
        brew list poppler >/dev/null 2>&1 || brew install poppler
        if [ ! -d "/Applications/Chromium.app" ] && [ ! -d "/Applications/Google Chrome.app" ]; then
            brew install --cask chromium || say "could not install Chromium; set CARDPRESS_CHROMIUM to a Chromium or Chrome binary"
        fi
    fi
    exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    say "not a Debian/Ubuntu system: install Python venv support, Pango (>= 1.44) and, for tests, Chromium and poppler-utils with your package manager"
    exit 0
fi

# python3-venv: Debian's python3 cannot make a venv without it.
# libpango-1.0-0 / libpangoft2-1.0-0: WeasyPrint's text layout.
# libharfbuzz-subset0: fast font subsetting for the PDF (optional, big speed-up).
pkgs="python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
if [ "$want_test" = 1 ]; then
    # chromium: the browser tests (Playwright drives Debian's build; it cannot download its own here).
    # poppler-utils: pdftoppm/pdftotext for PDF checks.
    pkgs="$pkgs chromium poppler-utils"
fi

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        # libharfbuzz-subset0 does not exist on older releases: skip it quietly.
        if [ "$p" = "libharfbuzz-subset0" ] && ! apt-cache show "$p" >/dev/null 2>&1; then
            continue
        fi
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then
    sudo=""
elif command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
else
    say "missing system packages:$missing"
    say "install them as root: apt-get install$missing"
    exit 1
fi

say "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || say "apt-get update failed; trying the install with the current package lists"
# shellcheck disable=SC2086
if ! $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
    say "could not install:$missing"
    say "install them by hand: apt-get install$missing"
    exit 1
fi
