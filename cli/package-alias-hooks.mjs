// Module resolution hooks (Node's module.register, Node >= 20.6) for protocol files: a file that
// imports this package by its name ('tee-tpm-channel-verifier', or a subpath of it) gets the
// running tcv's own modules, whether tcv is a dev dependency of the user's project, a global
// install or a checkout — so the file's machines and tcv's interpreters share one copy of the
// modelling vocabulary. Plain JavaScript: it loads before any TypeScript loader.
let name = '';
let root = '';

export function initialize(data) {
  name = data.name;
  root = data.root;
}

export async function resolve(specifier, context, next) {
  if (name && (specifier === name || specifier.startsWith(`${name}/`))) {
    const sub = specifier === name ? 'cli/api.ts' : specifier.slice(name.length + 1);
    return next(new URL(sub, root).href, context);
  }
  const r = await next(specifier, context);
  // a protocol file written with `import` in a folder without a package.json of "type": "module"
  // is still an ES module to us: Node would take a .ts there for CommonJS, and requiring tcv's
  // ES modules from it fails ("require() of ES Module in a cycle")
  if (/\.ts$/.test(r.url) && r.url.startsWith('file:') && !r.url.startsWith(root) && !r.url.includes('/node_modules/')) return { ...r, format: 'module' };
  return r;
}
