// Where the scaling benchmark's table lives in docs/benchmarks.md: a marked section that
// `npm run bench:scale` replaces and the main report (report.ts) carries over.
import { existsSync, readFileSync } from 'node:fs';

const BEGIN = '<!-- bench:scale begin -->';
const END = '<!-- bench:scale end -->';

/** The section as written into the page. */
export function markedSection(markdown: string): string {
  return `${BEGIN}\n${markdown.trim()}\n${END}\n`;
}

/** The marked section of `doc`, if it has one. */
export function sectionOf(doc: string): string | undefined {
  const [a, b] = [doc.indexOf(BEGIN), doc.indexOf(END)];
  return a >= 0 && b > a ? `${doc.slice(a, b + END.length)}\n` : undefined;
}

/** `doc` with its marked section replaced by `section` (appended when it has none). */
export function spliceSection(doc: string, section: string): string {
  const old = sectionOf(doc);
  return old ? doc.replace(old, section) : `${doc.trimEnd()}\n\n${section}`;
}

/** The section to carry into a rewritten page: `fresh` (a file scale.ts wrote), else the one `page` already has. */
export function carriedSection(fresh: string, page: string): string | undefined {
  if (existsSync(fresh)) return markedSection(readFileSync(fresh, 'utf8'));
  return existsSync(page) ? sectionOf(readFileSync(page, 'utf8')) : undefined;
}
