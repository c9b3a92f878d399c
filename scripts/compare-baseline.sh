#!/bin/sh
# Regenerates the reports of the refactor's baseline (tcv verify --all --json; tcv run <p> --json
# --seed 1 for every protocol; the three seed-000 protocols under --tpm swtpm) into $OUT and
# (and every variant's run) compares them with those in $BASE (scripts/compare-verdicts.mjs). Record the baseline with
# OUT=$BASE first:   OUT=/tmp/arch-baseline sh scripts/compare-baseline.sh record
set -e
export TCV_FROM_SOURCE=1
VARIANTS="attestation:M1.1 attestation:M1.2 attestation:M1.3 key-exchange:M2.1 key-exchange:M2.2 key-exchange:M2.3 key-exchange:two-phase provisioning:M3.1 provisioning:M3.2 tztcm-session:M4.1 tztcm-session:M4.2 tztcm-storage:M5.1"
BASE=${BASE:-/tmp/arch-baseline}
OUT=${OUT:-/tmp/arch-after}
cd "$(dirname "$0")/.."
mkdir -p "$OUT"
nice node bin/tcv.js verify --all --json --jobs 2 > "$OUT/verify-all.json" || true
for p in attestation key-exchange provisioning tztcm-session tztcm-storage; do
  nice node bin/tcv.js run $p --json --seed 1 > "$OUT/run-$p.json" || true
done
for p in attestation key-exchange provisioning; do
  nice node bin/tcv.js run $p --json --seed 1 --tpm swtpm > "$OUT/swtpm-$p.json" || true
done
for pv in $VARIANTS; do
  p=${pv%:*}; v=${pv#*:}
  nice node bin/tcv.js run $p --variant $v --json --seed 1 > "$OUT/run-$p-$v.json" || true
done
[ "$1" = record ] && exit 0
pairs=""
for f in verify-all run-attestation run-key-exchange run-provisioning run-tztcm-session run-tztcm-storage swtpm-attestation swtpm-key-exchange swtpm-provisioning; do
  pairs="$pairs $BASE/$f.json $OUT/$f.json"
done
for pv in $VARIANTS; do
  f=run-${pv%:*}-${pv#*:}; pairs="$pairs $BASE/$f.json $OUT/$f.json"
done
node scripts/compare-verdicts.mjs $pairs
