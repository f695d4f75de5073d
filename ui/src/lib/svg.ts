// Charts arrive from the Rust core as SVG text. Before they enter the page they are parsed
// as XML and kept only if made of drawing elements: no scripts, no foreign objects, no
// event handlers, no links. (The core already escapes every label; this is the second lock.)

const ALLOWED = new Set(['svg', 'g', 'rect', 'line', 'polyline', 'polygon', 'path', 'circle', 'ellipse', 'text', 'tspan', 'title']);

/** Parses `text` into a detached, clean <svg> element, or null when it is not an SVG. */
export function safeSvg(text: string): SVGSVGElement | null {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (!root || root.nodeName !== 'svg' || doc.getElementsByTagName('parsererror').length > 0) return null;
  const walk = (el: Element) => {
    for (const child of Array.from(el.children)) {
      if (!ALLOWED.has(child.localName)) child.remove();
      else walk(child);
    }
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on') || name.includes('href') || name === 'style') el.removeAttribute(attr.name);
    }
  };
  walk(root);
  return document.importNode(root, true) as unknown as SVGSVGElement;
}
