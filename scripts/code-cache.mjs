// Writes the V8 code cache of the CLI bundle (`node scripts/code-cache.mjs dist/tcv.cjs`, run by
// scripts/build.mjs): loads the bundle as the bin does, runs a few short commands so their
// functions are compiled, then saves the bytecode beside the bundle (`tcv.cjs.cache`).
import { writeFileSync } from 'node:fs';
import { loadBundle } from '../bin/load-bundle.js';

const file = process.argv[2];
if (!file) throw new Error('usage: node scripts/code-cache.mjs <bundle.cjs>');
const { exports, script } = loadBundle(file);
const quiet = { out() {}, err() {}, isTTY: false };
const WARM_UP = [['--help'], ['list'], ['verify', 'nspk'], ['verify', 'nsl', '--json'], ['verify', 'key-exchange', '--variant', 'M2.1', '--json'], ['run', 'key-exchange', '--seed', '1']];
for (const args of WARM_UP) await exports.main(args, quiet);
writeFileSync(`${file}.cache`, script.createCachedData());
