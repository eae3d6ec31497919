// Turns DOT text into SVG (Graphviz compiled to WebAssembly, via graphviz-cli) or PNG (that SVG
// rasterised by resvg; both optional packages, loaded on first use), and picks a drawing format from an output file's extension.
import { OpgraphError, UsageError } from '../errors.ts';

/** Formats a drawing can be written in: DOT source, or rendered SVG or PNG. */
export type VizFormat = 'dot' | 'svg' | 'png';

const BY_EXTENSION: Readonly<Record<string, VizFormat>> = { '.dot': 'dot', '.gv': 'dot', '.svg': 'svg', '.png': 'png' };

/** Renders DOT text: SVG as a string, PNG as bytes. Failures are OpgraphErrors. */
export function renderDot(dot: string, format: 'svg'): Promise<string>;
export function renderDot(dot: string, format: 'png'): Promise<Uint8Array>;
export function renderDot(dot: string, format: 'svg' | 'png'): Promise<string | Uint8Array>;
export async function renderDot(dot: string, format: 'svg' | 'png'): Promise<string | Uint8Array> {
  // graphviz-cli reads standard input when given empty source, so empty text is refused here.
  if (dot.trim() === '') throw new OpgraphError('cannot render an empty drawing');
  const { renderGraphFromSource } = await optional<typeof import('graphviz-cli')>('graphviz-cli', 'SVG and PNG drawings');
  let svg: string;
  try {
    svg = await renderGraphFromSource({ input: dot }, { format: 'svg' });
  } catch (e) {
    throw new OpgraphError(`graphviz could not render the drawing: ${(e as Error).message}`, { cause: e });
  }
  return format === 'svg' ? svg : svgToPng(svg);
}

/** Rasterises an SVG document to PNG bytes (resvg, an optional package), on white; `width` scales it to that many pixels. */
export async function svgToPng(svg: string, width?: number): Promise<Uint8Array> {
  const { Resvg } = await optional<typeof import('@resvg/resvg-js')>('@resvg/resvg-js', 'PNG drawings');
  try {
    return new Resvg(svg, { background: 'white', ...(width ? { fitTo: { mode: 'width' as const, value: width } } : {}) }).render().asPng();
  } catch (e) {
    throw new OpgraphError(`could not convert the drawing to PNG: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * An optional package, imported; missing, it is one line saying what to install. The specifier is
 * a variable, so bundlers leave it alone: a page that never draws need not install either package.
 */
async function optional<T>(name: string, forWhat: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    throw new OpgraphError(`${forWhat} need the optional package ${name}: npm install ${name}`, { cause: e });
  }
}

/** The drawing format for an output path, from its extension (.dot/.gv, .svg, .png; any case). */
export function formatFromPath(path: string): VizFormat {
  const name = path.split(/[\\/]/).pop() ?? path;
  const dot = name.lastIndexOf('.');
  const extname = (): string => (dot > 0 ? name.slice(dot) : '');
  const ext = extname().toLowerCase();
  const format = Object.hasOwn(BY_EXTENSION, ext) ? BY_EXTENSION[ext] : undefined;
  if (format === undefined) {
    const shown = ext === '' ? 'no extension' : `extension ${JSON.stringify(extname())}`;
    throw new UsageError(`cannot tell the drawing format of ${JSON.stringify(path)}: ${shown}; use .dot, .svg or .png`);
  }
  return format;
}
