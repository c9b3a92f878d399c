#!/usr/bin/env bash
# Install Debian's tpm2-tools and the TSS TCTIs it reaches a TPM simulator with (mssim: the
# Microsoft simulator protocol `tcv tztcm serve` speaks; swtpm: swtpm's socket) for the tests that
# drive real TPM tools against the TZTCM. Idempotent: does nothing when tpm2_getrandom and the
# mssim TCTI are already there. Non-interactive; needs root (or sudo) and apt-get.
# Usage: bash scripts/install-tpm2-tools.sh
set -euo pipefail

have_mssim() {
  ldconfig -p 2>/dev/null | grep -q 'libtss2-tcti-mssim\.so\.0' || ls /usr/lib/*/libtss2-tcti-mssim.so.0 >/dev/null 2>&1
}

if command -v tpm2_getrandom >/dev/null 2>&1 && have_mssim; then
  echo "install-tpm2-tools: tpm2-tools already installed: $(command -v tpm2_getrandom) ($(tpm2_getrandom --version 2>&1 | head -n1))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-tpm2-tools: tpm2-tools is missing and apt-get is not available; install tpm2-tools with your package manager" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-tpm2-tools: need root (or sudo) to run apt-get install tpm2-tools" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-tpm2-tools: tpm2-tools or the mssim TCTI not found; running apt-get update"
$SUDO apt-get update -qq
echo "install-tpm2-tools: installing tpm2-tools libtss2-tcti-mssim0 libtss2-tcti-swtpm0"
$SUDO apt-get install -y -qq --no-install-recommends tpm2-tools libtss2-tcti-mssim0 libtss2-tcti-swtpm0
echo "install-tpm2-tools: installed $(command -v tpm2_getrandom) ($(tpm2_getrandom --version 2>&1 | head -n1))"
