// A tiny SVG writer for the plots: elements from a tag, attributes and children, every attribute
// value and text escaped (names in a plot come from model files).
import { xmlText } from './format.ts';

/** Attribute values: numbers are rounded to 0.01 so output is stable and short. */
export type Attrs = Readonly<Record<string, string | number | undefined>>;

/** One element; `children` are already-written elements, or text when `text` is set. */
export function el(tag: string, attrs: Attrs, ...children: string[]): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === 'number' ? round(v) : xmlText(v!)}"`)
    .join('');
  return children.length === 0 ? `<${tag}${a}/>` : `<${tag}${a}>${children.join('')}</${tag}>`;
}

/** A text element holding `text` (escaped). */
export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el('text', { x, y, ...attrs }, xmlText(content));
}

/** A `<title>` tooltip child. */
export function tooltip(content: string): string {
  return el('title', {}, xmlText(content));
}

/** The root element of a standalone SVG document of `width` x `height`. */
export function svgDocument(width: number, height: number, attrs: Attrs, ...children: string[]): string {
  const style = el('style', {}, 'text{font-family:Helvetica,Arial,sans-serif;fill:#263238}.axis{stroke:#90a4ae;stroke-width:1}.grid{stroke:#eceff1;stroke-width:1}');
  return `${el('svg', { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, ...attrs }, style, el('rect', { width, height, fill: 'white' }), ...children)}\n`;
}

/** Ten distinguishable fill colours (Tableau 10), by index. */
export function palette(i: number): string {
  const colours = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  return colours[((i % colours.length) + colours.length) % colours.length]!;
}

/** About `count` round tick values from 0 to `max` (1, 2 or 5 times a power of ten apart). */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0];
  const raw = max / count;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) out.push(v);
  return out;
}

function round(v: number): string {
  return String(Math.round(v * 100) / 100);
}
