#!/usr/bin/env node
// `tcv` launcher. Runs the TypeScript sources through tsx's loader.
import { register } from 'tsx/esm/api';

// a closed pipe (`tcv list | head`) ends the program quietly, as other CLI tools do
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
register();
const { main } = await import('../impl/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
