#!/usr/bin/env bash
# Install Debian's chromium for the browser tests of the HTML report and the SVG diagrams
# (test/impl/report/browser.test.ts drives it with playwright-core, which never downloads a browser
# of its own). Idempotent: does nothing when /usr/bin/chromium is already there.
# Non-interactive; needs root (or sudo) and apt-get. Usage: bash scripts/install-chromium.sh
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "install-chromium: chromium already installed: /usr/bin/chromium ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: chromium is missing and apt-get is not available; install chromium with your package manager" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-chromium: need root (or sudo) to run apt-get install chromium" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-chromium: chromium not found; running apt-get update"
$SUDO apt-get update -qq
# fonts-dejavu-core: a font for the text of the pages (the SVGs name generic families only)
echo "install-chromium: installing chromium fonts-dejavu-core"
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core
echo "install-chromium: installed /usr/bin/chromium ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
