#!/usr/bin/env bash
# Fetch a Debian kernel image and extract its ELF vmlinux, whose .text the TZTCM's active
# measurement watches as the host's kernel code (seed 002 §5 measures a Linux kernel's 13.4 MB
# text; impl/tztcm/monitor/kernel-text.ts reads the .text section from the vmlinux kept here).
#
# Only Debian's apt is used: `apt-get download` of the package (no install, no dependencies, no
# boot loader touched), `dpkg-deb -x` of /boot/vmlinuz-*, then the bzImage's compressed payload
# found by its magic (xz, zstd, gzip, as the kernel's scripts/extract-vmlinux does) and
# decompressed with Debian's xz/zstd/gzip to the ELF vmlinux.
#
# Cache: ${TCV_KERNEL_CACHE:-$HOME/.cache/tcv/kernel-image} (outside git). Idempotent: does
# nothing when the cache already holds a vmlinux and its manifest. Package: $TCV_KERNEL_PACKAGE,
# or the -unsigned image that Debian's linux-image-amd64 currently depends on.
# Usage: bash scripts/install-kernel-image.sh
set -euo pipefail

CACHE="${TCV_KERNEL_CACHE:-$HOME/.cache/tcv/kernel-image}"
MANIFEST="$CACHE/manifest.json"

if [ -f "$MANIFEST" ] && [ -f "$CACHE/vmlinux" ]; then
  echo "install-kernel-image: already extracted: $CACHE/vmlinux ($(grep -o '"package": *"[^"]*"' "$MANIFEST" | cut -d'"' -f4))"
  exit 0
fi

for tool in apt-get apt-cache dpkg-deb; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "install-kernel-image: $tool is not available (a Debian/Ubuntu machine is needed); the monitor uses its stand-in" >&2
    exit 1
  fi
done

arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
pkg="${TCV_KERNEL_PACKAGE:-}"
if [ -z "$pkg" ]; then
  meta="linux-image-$arch"
  dep="$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')"
  if [ -z "$dep" ]; then
    echo "install-kernel-image: apt knows no $meta; running apt-get update"
    apt-get update -qq
    dep="$(apt-cache depends "$meta" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')"
  fi
  if [ -z "$dep" ]; then
    echo "install-kernel-image: cannot resolve $meta to a kernel image package" >&2
    exit 1
  fi
  # the unsigned image holds the same kernel without the Secure Boot signature
  if apt-cache show "$dep-unsigned" >/dev/null 2>&1; then pkg="$dep-unsigned"; else pkg="$dep"; fi
fi

mkdir -p "$CACHE"
work="$(mktemp -d "$CACHE/tmp.XXXXXX")"
chmod 755 "$work" # apt-get download drops to the _apt user, which must reach the folder
trap 'rm -rf "$work"' EXIT

echo "install-kernel-image: apt-get download $pkg"
(cd "$work" && apt-get download -qq "$pkg")
deb="$(ls "$work"/*.deb | head -n1)"
dpkg-deb -x "$deb" "$work/root"
vmlinuz="$(ls "$work"/root/boot/vmlinuz-* | head -n1)"

# the payload: try each compression magic at each offset it occurs, keep the first that
# decompresses to an ELF file (the bzImage's setup code and decompressor come before it)
try_magic() { # $1 = magic as grep -P bytes, $2.. = decompressor command
  local magic="$1"; shift
  local off
  for off in $(LC_ALL=C grep -aboP "$magic" "$vmlinuz" | cut -d: -f1); do
    tail -c +"$((off + 1))" "$vmlinuz" | "$@" > "$work/vmlinux" 2>/dev/null || true
    if [ "$(head -c 4 "$work/vmlinux" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]; then
      echo "install-kernel-image: payload at offset $off, decompressed with $1"
      return 0
    fi
  done
  return 1
}
found=""
if command -v xz >/dev/null 2>&1 && try_magic '\xFD7zXZ\x00' xz -dc; then found=xz
elif command -v zstd >/dev/null 2>&1 && try_magic '\x28\xB5\x2F\xFD' zstd -dc; then found=zstd
elif try_magic '\x1F\x8B\x08' gzip -dc; then found=gzip
fi
if [ -z "$found" ]; then
  echo "install-kernel-image: no xz/zstd/gzip payload in $vmlinuz decompressed to an ELF vmlinux" >&2
  exit 1
fi

version="$(dpkg-deb -f "$deb" Version)"
mv "$work/vmlinux" "$CACHE/vmlinux"
sha="$(sha256sum "$CACHE/vmlinux" | cut -d' ' -f1)"
cat > "$MANIFEST" <<EOF
{
  "package": "$pkg",
  "version": "$version",
  "vmlinuz": "$(basename "$vmlinuz")",
  "compression": "$found",
  "vmlinuxSha256": "$sha"
}
EOF
echo "install-kernel-image: $CACHE/vmlinux from $pkg $version ($found payload)"
