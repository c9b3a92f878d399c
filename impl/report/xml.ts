/**
 * Escaping for the SVG and HTML the report writes (text content and attribute values).
 * @module
 */

/** `&`, `<`, `>`, `"` and `'` as entities. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
