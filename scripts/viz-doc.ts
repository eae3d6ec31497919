// Makes the pictures of docs/visualising.md from examples/tiny-gpt.ts: the DOT at --depth 1 and
// after -O2, the viewer (rendered in headless Chromium, a node clicked), the memory
// plan and a profile on the TS backend. Run with `npm run viz-doc`; it writes docs/images/viz-*.png.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { PIPELINES, runPipeline } from '../passes/pipeline.ts';
import { sourceLocations } from '../src/api/builder.ts';
import { planMemory } from '../src/codegen/plan.ts';
import { scratchNeed } from '../src/codegen/ts/kernels/index.ts';
import { tensor } from '../src/ir/tensor.ts';
import { profileRun } from '../src/runtime/profile.ts';
import { toDot } from '../src/viz/dot.ts';
import { memoryPlotSvg } from '../src/viz/memory-plot.ts';
import { profilePlotSvg } from '../src/viz/profile-plot.ts';
import { renderDot, svgToPng } from '../src/viz/render.ts';
import { buildViewer } from '../src/viz/viewer.ts';
import { tinyGpt } from '../examples/tiny-gpt.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/browser.ts';

const OUT = new URL('../docs/images/', import.meta.url).pathname;

const loaded = tinyGpt(2);
const { graph, trace } = runPipeline(loaded, PIPELINES[2]);
const plan = planMemory(graph, (n, inputs) => scratchNeed(n, inputs));

async function png(name: string, svg: string, width: number): Promise<void> {
  writeFileSync(join(OUT, name), await svgToPng(svg, width));
  console.log(`wrote docs/images/${name}`);
}

await png('viz-dot-depth1.png', await renderDot(toDot(runPipeline(loaded, PIPELINES[0]).graph, { depth: 1 }), 'svg'), 520);
await png('viz-dot-block.png', await renderDot(toDot(graph, { title: 'tiny_gpt after -O2' }), 'svg'), 900);
await png('viz-memory.png', memoryPlotSvg(graph, plan), 960);
const tokens = tensor('i64', [1, 16], Array.from({ length: 16 }, (_, i) => (i * 7 + 3) % 64));
await png('viz-profile.png', profilePlotSvg(await profileRun(graph, { tokens }, { backend: 'ts' })), 960);

const stages = [{ name: 'as loaded', graph: loaded, notes: [] }, ...trace.map((t) => ({ name: t.pass, graph: t.graph, notes: t.notes }))];
const html = await buildViewer(graph.name, stages, { sourceLocations: sourceLocations(loaded)!, plots: [{ caption: 'memory plan', svg: memoryPlotSvg(graph, plan) }] });
const file = join(mkdtempSync(join(tmpdir(), 'opgraph-viz-doc-')), 'view.html');
writeFileSync(file, html);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await (await browser.newContext({ offline: true, viewport: { width: 1400, height: 860 } })).newPage();
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => (window as { opgraphViewerReady?: boolean }).opgraphViewerReady === true);
  const fuse = PIPELINES[2].findIndex((p) => p.name === 'fuse-attention') + 1;
  await page.locator(`nav li button[data-stage="${fuse}"]`).click();
  await page.locator('#fit').uncheck();
  const attention = page.locator(`#canvas .stage[data-stage="${fuse}"] g.node`).filter({ hasText: 'attention' }).first();
  await attention.scrollIntoViewIfNeeded();
  await attention.locator('polygon, path').first().click({ force: true });
  await page.locator('#search').fill('c_proj');
  await page.screenshot({ path: join(OUT, 'viz-viewer.png') });
  console.log('wrote docs/images/viz-viewer.png');
} finally {
  await browser.close();
}
