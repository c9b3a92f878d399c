/**
 * State diagrams as SVG: the DOT of `dot-machine.ts` laid out by Graphviz compiled to
 * WebAssembly (`@viz-js/viz`, runs in Node, no browser, no native binary). Chosen over elkjs:
 * Graphviz's `dot` layout draws spline edges with their labels placed clear of the nodes and
 * writes the SVG itself, where elkjs only computes coordinates (the SVG, the edge routing
 * around labels and the arrowheads would be ours to write); `@viz-js/viz` is one 1.2 MB
 * dependency-free file, its CommonJS build (elkjs's bundle is of the same order). Its output is made
 * self-contained and themed here: the XML prolog and comments dropped, the report's style
 * sheet (light and dark, `prefers-color-scheme`) and a background added; the `class`
 * attributes the DOT sets choose the colours.
 * @module
 */
import { createRequire } from 'node:module';
import { FONT_FAMILY, scopeCss } from './svg-theme.ts';

/** The light and dark styles of a Graphviz SVG (its sizes stay Graphviz's own). */
export const MACHINE_STYLE = scopeCss(`
.bgr{fill:#ffffff}
text{font-family:${FONT_FAMILY};fill:#1f2328}
.cluster>polygon{fill:none;stroke:#d1d9e0}
.node>path,.node>polygon,.node>ellipse{fill:#f6f8fa;stroke:#59636e}
.node.initial>path{stroke-width:2.2}
.node.start>ellipse{fill:#1f2328;stroke:#1f2328}
.node.failed>path{stroke:#8c959f;stroke-dasharray:3 3}
.node.failed>text{fill:#8c959f}
.edge.ok>path{stroke:#1f2328}.edge.ok>polygon{fill:#1f2328;stroke:#1f2328}
.edge.fail>path{stroke:#afb8c1}.edge.fail>polygon{fill:#afb8c1;stroke:#afb8c1}.edge.fail text{fill:#8c959f}
.edge.edited>path{stroke:#bf3989}.edge.edited>polygon{fill:#bf3989;stroke:#bf3989}.edge.edited text{fill:#bf3989;font-weight:bold}
@media (prefers-color-scheme: dark){
.bgr{fill:#0d1117}
text{fill:#e6edf3}
.cluster>polygon{stroke:#3d444d}
.node>path,.node>polygon,.node>ellipse{fill:#151b23;stroke:#9198a1}
.node.start>ellipse{fill:#e6edf3;stroke:#e6edf3}
.node.failed>path{stroke:#656c76}
.node.failed>text{fill:#656c76}
.edge.ok>path{stroke:#e6edf3}.edge.ok>polygon{fill:#e6edf3;stroke:#e6edf3}
.edge.fail>path{stroke:#3d444d}.edge.fail>polygon{fill:#3d444d;stroke:#3d444d}.edge.fail text{fill:#656c76}
.edge.edited>path{stroke:#f778ba}.edge.edited>polygon{fill:#f778ba;stroke:#f778ba}.edge.edited text{fill:#f778ba}
}`, 'svg[data-kind=state]');

type Viz = { renderString(src: string, opts: { format: string }): string };
let viz: Promise<Viz> | null = null;

/** Graphviz, loaded once per process (its WebAssembly compiles in about 0.2 s). Through
 * `require` (its CommonJS build): the bundled CLI runs in a `vm.Script`, which has no dynamic
 * `import()`, and the build leaves this package out of the bundle. */
export function graphviz(): Promise<Viz> {
  viz ??= (createRequire(import.meta.url)('@viz-js/viz') as { instance(): Promise<Viz> }).instance();
  return viz;
}

/** Graphviz's SVG made self-contained and themed. */
export function themeGraphvizSvg(svg: string, title: string): string {
  const start = svg.indexOf('<svg');
  // no comments, and no ids (several diagrams inline in one page would repeat `node1`)
  let body = svg.slice(start).replace(/<!--[\s\S]*?-->\n?/g, '').replace(/ id="[^"]*"/g, '');
  body = body.replace(/<svg([^>]*)>/, (_m, attrs: string) => `<svg${attrs} role="img" data-kind="state"><title>${title.replace(/[<&]/g, '')}</title><style>${MACHINE_STYLE}</style><rect width="100%" height="100%" class="bgr"/>`);
  return body;
}

/** Lay out DOT source and return the themed SVG. */
export async function svgFromDot(dot: string, title: string): Promise<string> {
  const v = await graphviz();
  return themeGraphvizSvg(v.renderString(dot, { format: 'svg' }), title);
}
