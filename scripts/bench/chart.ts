// The benchmark's bar chart, as SVG text: for each model, one bar per peer runner giving
// opgraph's speed relative to it (peer latency / opgraph latency) on a log axis around 1x.

/** One model's bars: runner name -> ratio (> 1: opgraph is faster). */
export interface ChartGroup {
  readonly title: string;
  readonly ratios: ReadonlyMap<string, number>;
}

const PALETTE = ['#4e79a7', '#a0cbe8', '#f28e2b', '#ffbe7d', '#59a14f', '#8cd17d', '#e15759', '#ff9d9a', '#b07aa1', '#9c755f'];
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmtRatio = (r: number): string => (r >= 10 ? `${r.toFixed(0)}x` : r >= 1 ? `${r.toFixed(1)}x` : `${r.toPrecision(2)}x`);

export function barChart(title: string, groups: readonly ChartGroup[]): string {
  const runners = [...new Set(groups.flatMap((g) => [...g.ratios.keys()]))];
  const color = new Map(runners.map((r, i) => [r, PALETTE[i % PALETTE.length]!]));
  const all = groups.flatMap((g) => [...g.ratios.values()]).filter((r) => r > 0 && Number.isFinite(r));
  const lo = Math.floor(Math.log10(Math.min(1, ...all)));
  const hi = Math.ceil(Math.log10(Math.max(1, ...all)));
  const [left, plotW, bar, gap, titleH] = [70, 760, 13, 10, 18];
  const legendH = 18 * Math.ceil(runners.length / 3) + 10;
  const top = 40 + legendH;
  const x = (r: number): number => left + ((Math.log10(r) - lo) / Math.max(1, hi - lo)) * plotW;
  const out: string[] = [];
  let y = top;
  for (const g of groups) {
    const entries = [...g.ratios];
    out.push(`<text x="20" y="${y + 13}" font-weight="bold">${esc(g.title)}</text>`);
    y += titleH;
    for (const [runner, r] of entries) {
      const [x0, x1] = [x(1), x(Math.max(r, 10 ** lo))];
      out.push(`<rect x="${Math.min(x0, x1).toFixed(1)}" y="${y}" width="${Math.abs(x1 - x0).toFixed(1)}" height="${bar - 2}" fill="${color.get(runner)}"><title>${esc(runner)}: ${fmtRatio(r)}</title></rect>`);
      out.push(`<text x="${(r >= 1 ? x1 + 4 : x1 - 4).toFixed(1)}" y="${y + bar - 3}" text-anchor="${r >= 1 ? 'start' : 'end'}" font-size="10">${fmtRatio(r)}</text>`);
      y += bar;
    }
    y += gap;
  }
  const height = y + 30;
  const axis: string[] = [];
  for (let e = lo; e <= hi; e++) {
    const xe = x(10 ** e);
    axis.push(`<line x1="${xe}" y1="${top - 6}" x2="${xe}" y2="${y}" stroke="${e === 0 ? '#000' : '#ccc'}"/>`);
    axis.push(`<text x="${xe}" y="${y + 16}" text-anchor="middle" font-size="11">${fmtRatio(10 ** e)}</text>`);
  }
  const legend = runners.map((r, i) => {
    const [lx, ly] = [20 + (i % 3) * 290, 36 + Math.floor(i / 3) * 18];
    return `<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${color.get(r)}"/><text x="${lx + 18}" y="${ly}" font-size="12">${esc(r)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + plotW + 60}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="20" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
    ...legend,
    ...axis,
    ...out,
    `<text x="${x(1) + 6}" y="${height - 4}" font-size="11">right of 1x: opgraph faster; left: the peer is faster</text>`,
    '</svg>',
    '',
  ].join('\n');
}
