// Module resolution hooks (Node's module.register, Node >= 20.6) for protocol files: a file that
// imports this package by its name ('tee-tpm-channel-verifier', or a subpath of it) gets the
// running tcv's own modules, whether tcv is a dev dependency of the user's project, a global
// install or a checkout — so the file's machines and tcv's interpreters share one copy of the
// modelling vocabulary. Plain JavaScript: it loads before any TypeScript loader.
//
// For `--watch` (cli/watch.ts): a protocol file imported with a `?tcv-gen=N` query passes the
// same query on to every user module it imports (not tcv's own, not node_modules), so a reload
// after a save evaluates the edited files afresh while tcv's modules stay the one copy; and
// every user module resolved is posted on the port, so the watcher knows which files to watch.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let name = '';
let root = '';
let port = null;

export function initialize(data) {
  name = data.name;
  root = data.root;
  port = data.port ?? null;
}

const GEN = /[?&]tcv-gen=(\d+)/;

const isUserModule = (url) => url.startsWith('file:') && !url.startsWith(root) && !url.includes('/node_modules/');

export async function resolve(specifier, context, next) {
  if (name && (specifier === name || specifier.startsWith(`${name}/`))) {
    const sub = specifier === name ? 'cli/api.ts' : specifier.slice(name.length + 1);
    return next(new URL(sub, root).href, context);
  }
  const gen = context.parentURL && GEN.exec(context.parentURL);
  // a relative import of a .ts/.mts file from a user module is an ES module of the user's:
  // resolved here, because tsx would take a .ts in a folder without "type": "module" for
  // CommonJS and load it through require(), where this package's name does not resolve
  if (context.parentURL && isUserModule(context.parentURL) && /^\.\.?\//.test(specifier) && /\.m?ts$/.test(specifier)) {
    const target = new URL(specifier, context.parentURL.replace(/[?#].*$/, ''));
    if (existsSync(fileURLToPath(target))) {
      const url = gen ? `${target.href}?tcv-gen=${gen[1]}` : target.href;
      port?.postMessage(target.href);
      return { url, format: 'module', shortCircuit: true };
    }
  }
  const r = await next(specifier, context);
  if (!isUserModule(r.url)) return r;
  let url = r.url;
  if (gen && !GEN.test(url)) url += `${url.includes('?') ? '&' : '?'}tcv-gen=${gen[1]}`;
  port?.postMessage(url.replace(/[?#].*$/, ''));
  // a protocol file written with `import` in a folder without a package.json of "type": "module"
  // is still an ES module to us: Node would take a .ts there for CommonJS, and requiring tcv's
  // ES modules from it fails ("require() of ES Module in a cycle")
  if (/\.ts(\?.*)?$/.test(url)) return { ...r, url, format: 'module' };
  return { ...r, url };
}
