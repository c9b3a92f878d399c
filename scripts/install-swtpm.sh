#!/usr/bin/env bash
# Install Debian's swtpm (libtpms, the TCG TPM 2.0 reference code) for the TPM 2.0 interop
# tests and `--tpm swtpm` runs. Idempotent: does nothing when `swtpm` is already on PATH.
# Non-interactive; needs root (or sudo) and apt-get. Usage: bash scripts/install-swtpm.sh
set -euo pipefail

if command -v swtpm >/dev/null 2>&1; then
  echo "install-swtpm: swtpm already installed: $(command -v swtpm) ($(swtpm --version 2>&1 | head -n1))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-swtpm: swtpm is missing and apt-get is not available; install swtpm with your package manager" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-swtpm: need root (or sudo) to run apt-get install swtpm" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-swtpm: swtpm not found; running apt-get update"
$SUDO apt-get update -qq
# swtpm-tools (swtpm_setup, swtpm_ioctl) is not needed at run time but helps debugging by hand.
echo "install-swtpm: installing swtpm swtpm-tools"
$SUDO apt-get install -y -qq --no-install-recommends swtpm swtpm-tools
echo "install-swtpm: installed $(command -v swtpm) ($(swtpm --version 2>&1 | head -n1))"
