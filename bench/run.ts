/**
 * `npm run bench`: runs every benchmark file in bench/ (each writes its own JSON under
 * bench/results/) one after the other, so their numbers come from one session.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const files = readdirSync('bench').filter((f) => f.endsWith('.bench.ts')).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n== ${f}`);
  try {
    execFileSync(process.execPath, ['--import', 'tsx', `bench/${f}`], { stdio: 'inherit' });
  } catch {
    failed++;
    console.error(`bench ${f} failed`);
  }
}
process.exitCode = failed ? 1 : 0;
