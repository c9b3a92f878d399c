// The layout checks the browser test runs inside the page (plain JavaScript, handed to
// page.evaluate as source: no helpers of the test's compiler may leak into it).
(() => {
    const problems = [];
    const inside = (a, b, tol = 1.5) => a.left >= b.left - tol && a.right <= b.right + tol && a.top >= b.top - tol && a.bottom <= b.bottom + tol;
    const svgs = [...document.querySelectorAll('svg')];
    const sizes = svgs.map((s) => s.getBoundingClientRect()).map((r) => [r.width, r.height]);
    for (const svg of svgs) {
      const box = svg.getBoundingClientRect();
      const kind = svg.getAttribute('data-kind');
      for (const t of svg.querySelectorAll('text')) {
        const r = t.getBoundingClientRect();
        if (t.textContent && !inside(r, box)) problems.push(`${kind}: text outside its diagram: ${t.textContent.slice(0, 60)}`);
      }
      if (kind === 'sequence') {
        // every label, claim and legend box holds the texts that follow it
        for (const g of svg.querySelectorAll('g.boxed')) {
          const rb = g.querySelector('rect').getBoundingClientRect();
          for (const t of g.querySelectorAll('text')) if (!inside(t.getBoundingClientRect(), rb)) problems.push(`text overflows its box: ${t.textContent.slice(0, 60)}`);
        }
      }
      if (kind === 'state') {
        for (const g of svg.querySelectorAll('g.node')) {
          const shape = g.querySelector('path, polygon, ellipse');
          for (const t of g.querySelectorAll('text')) if (shape && !inside(t.getBoundingClientRect(), shape.getBoundingClientRect(), 2)) problems.push(`state label overflows its node: ${t.textContent}`);
        }
      }
      // readable: the text colour differs from the diagram's background
      const bg = svg.querySelector('rect.bg, rect.bgr');
      const text = svg.querySelector('text');
      if (bg && text && getComputedStyle(bg).fill === getComputedStyle(text).fill) problems.push(`${kind}: text and background have the same colour`);
    }
    for (const td of document.querySelectorAll('td, th, p, li, h1, h2, h3')) {
      const e = td;
      if (e.scrollWidth > e.clientWidth + 1 && !e.closest('.diagram')) problems.push(`HTML text overflows: ${e.textContent.slice(0, 60)}`);
    }
    const ids = new Set([...document.querySelectorAll('[id]')].map((e) => e.id));
    const dead = [...document.querySelectorAll('a[href^="#"]')].map((a) => a.getAttribute('href').slice(1)).filter((h) => !ids.has(h));
    const bgFill = (() => {
      const r = document.querySelector('svg rect.bg, svg rect.bgr');
      return r ? getComputedStyle(r).fill : '';
    })();
    return { problems, sizes, dead, bgFill, external: performance.getEntriesByType('resource').map((e) => e.name) };
  })()
