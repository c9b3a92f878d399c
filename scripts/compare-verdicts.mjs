#!/usr/bin/env node
/**
 * @module scripts/compare-verdicts
 * Compares two reports of tcv (before and after a refactor) on what must not change: for
 * `tcv verify --json` (one report or an --all array) every target's bound and state count and
 * every property's verdict, expectation and trace length; for `tcv run --json` (with or without
 * --tpm) the messages (sender, receiver, label, size, status), the parties' end states, the
 * claims (role, event, tag, and the data under a fixed seed), the checks (id, ok) and the TPM
 * commands issued. Timings and, under a real TPM, bytes the TPM chose are left out.
 *
 *   node scripts/compare-verdicts.mjs [--states-may-change] BEFORE.json AFTER.json [BEFORE2.json AFTER2.json …]
 *
 * `--states-may-change` leaves the state counts out (for a change that is meant to reduce the
 * search: the verdicts, bounds and traces must still be the same); the totals are printed.
 *
 * Prints one line per pair ("identical: …" or the differences) and exits 1 on any difference.
 */
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const statesMayChange = argv.includes('--states-may-change');
const args = argv.filter((a) => a !== '--states-may-change');
if (argv.includes('--help') || args.length === 0 || args.length % 2 !== 0) {
  console.error('usage: compare-verdicts.mjs [--states-may-change] BEFORE.json AFTER.json [BEFORE2.json AFTER2.json …]');
  process.exit(2);
}

/** The part of a verify report that a refactor must keep, keyed by target name (so that a
 * target added or moved is named, not compared with its neighbour). */
function verifyDigest(report) {
  const list = Array.isArray(report) ? report : [report];
  return Object.fromEntries(list.map((t) => [`${t.protocol}${t.variant ? ' ' + t.variant : ''}`, {
    bound: t.bound,
    ...(statesMayChange ? {} : { states: t.stats?.states }),
    properties: (t.properties ?? []).map((p) => ({
      id: p.id, expected: p.expected, verdict: p.verdict,
      traceSteps: p.trace ? p.trace.steps.length : null,
      traceOmitted: p.trace ? (p.trace.omitted ?? null) : null,
    })),
  }]));
}

/** The part of a run report that a refactor must keep (bytes only when no real TPM chose them). */
function runDigest(r) {
  const real = r.tpm !== undefined;
  return {
    protocol: r.protocol, variant: r.variant, ok: r.ok,
    messages: r.messages.map((m) => ({ from: m.from, to: m.to, label: m.label, size: m.size, status: m.status, ...(real ? {} : { hex: m.hex }) })),
    parties: r.parties.map((p) => ({ role: p.role, party: p.party, agent: p.agent, state: p.state, failure: p.failure })),
    claims: r.claims.map((c) => ({ role: c.role, agent: c.agent, event: c.event, tag: c.tag, ...(real ? {} : { data: c.data }) })),
    secrets: real ? r.secrets.length : r.secrets,
    checks: r.checks.map((c) => ({ id: c.id, kind: c.kind, ok: c.ok })),
    tpm: real ? { commands: r.tpm.commands, facts: r.tpm.facts.map((f) => ({ by: f.by, ok: f.ok })), failure: r.tpm.failure } : null,
  };
}

function digest(report) {
  const first = Array.isArray(report) ? report[0] : report;
  return first && 'messages' in first ? runDigest(first) : verifyDigest(report);
}

/** Paths at which two JSON values differ (at most a few, for a readable line). */
function differences(a, b, path = '', out = []) {
  if (out.length >= 8) return out;
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null)) {
    out.push(`${path || '.'}: ${JSON.stringify(a)?.slice(0, 80)} → ${JSON.stringify(b)?.slice(0, 80)}`);
  } else if (a !== null && typeof a === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) differences(a[k], b[k], `${path}${Array.isArray(a) ? `[${k}]` : `.${k}`}`, out);
  } else if (a !== b) {
    out.push(`${path || '.'}: ${JSON.stringify(a)} → ${JSON.stringify(b)}`);
  }
  return out;
}

let failed = false;
for (let i = 0; i < args.length; i += 2) {
  const [before, after] = [args[i], args[i + 1]].map((f) => digest(JSON.parse(readFileSync(f, 'utf8'))));
  const diff = differences(before, after);
  if (diff.length === 0) {
    const targets = 'messages' in before ? null : Object.values(before);
    const states = (f) => [].concat(JSON.parse(readFileSync(f, 'utf8'))).reduce((n, t) => n + (t.stats?.states ?? 0), 0);
    const what = targets
      ? `${targets.length} targets, ${targets.reduce((n, t) => n + t.properties.length, 0)} verdicts, ${statesMayChange ? `states ${states(args[i])} → ${states(args[i + 1])}` : `${targets.reduce((n, t) => n + (t.states ?? 0), 0)} states`}`
      : `${before.protocol}: ${before.messages.length} messages, ${before.claims.length} claims, ${before.checks.length} checks`;
    console.log(`identical: ${args[i + 1]} (${what})`);
  } else {
    failed = true;
    console.log(`DIFFERS: ${args[i]} vs ${args[i + 1]}\n  ${diff.join('\n  ')}`);
  }
}
process.exit(failed ? 1 : 0);
