// `opgraph view` end to end: the file the CLI writes, opened from disk in headless Chromium with the
// network off. Every pass's picture is there, the slider and list switch between them, clicking a
// node fills the details panel, search marks matches, and the page asks for nothing outside itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, type Page, chromium } from 'playwright-core';
import { PIPELINES } from '../../passes/pipeline.ts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumMissing } from '../browser.ts';
import { cli } from '../cli/run-cli.ts';
import { hostile } from '../codegen/hostile.ts';
import { buildViewer } from '../../src/viz/viewer.ts';
import { runPipeline } from '../../passes/pipeline.ts';

const PASSES = PIPELINES[2].map((p) => p.name);

describe('opgraph view', () => {
  const dir = mkdtempSync(join(tmpdir(), 'opgraph-view-'));
  const file = join(dir, 'view.html');
  const hostileFile = join(dir, 'hostile.html');
  let html = '';

  beforeAll(async () => {
    const r = await cli(['view', 'tiny-gpt', '-o', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`wrote ${file} (${PASSES.length + 1} stages)`);
    html = readFileSync(file, 'utf8');
  }, 120_000);

  it('is one file with every stage\'s SVG inline and nothing to fetch', () => {
    expect(html.match(/<div class="stage" data-stage="\d+" data-name="[^"]*" hidden><svg/g)).toHaveLength(PASSES.length + 1);
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/)/);
    expect(html).toContain('class="memory-plot"');
  });

  it('carries hostile names only escaped: no markup, script or statement of theirs', async () => {
    const g = hostile();
    const { trace } = runPipeline(g, PIPELINES[1]);
    const page = await buildViewer(g.name, [{ name: 'as loaded', graph: g, notes: [] }, ...trace.map((t) => ({ name: t.pass, graph: t.graph, notes: t.notes }))]);
    expect(page.match(/<script/g)).toHaveLength(2); // the data and the page's own script
    expect(page.match(/<\/script>/g)).toHaveLength(2);
    expect(page).not.toContain('<script><script>evil()');
    expect(page).not.toContain('evil()</script>');
    expect(page).toContain('&lt;/script&gt;&lt;script&gt;evil()&lt;/script&gt;');
    const data = /<script type="application\/json" id="opgraph-data">([^<]*)<\/script>/.exec(page)![1]!;
    const parsed = JSON.parse(data) as { stages: { info: Record<string, { label?: string }> }[] };
    expect(Object.values(parsed.stages[0]!.info).map((i) => i.label)).toEqual(expect.arrayContaining(['</script><script>evil()</script>']));
    writeFileSync(hostileFile, page);
  }, 60_000);

  describe.skipIf(chromiumMissing)('in headless Chromium, offline', () => {
    let browser: Browser;
    let page: Page;
    const requests: string[] = [];
    const errors: string[] = [];

    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      const context = await browser.newContext({ offline: true });
      await context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
      page = await context.newPage();
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      await page.goto(pathToFileURL(file).href);
      await page.waitForFunction(() => (window as { opgraphViewerReady?: boolean }).opgraphViewerReady === true, undefined, { timeout: 30_000 });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
    });

    it('shows every pass\'s picture, in pipeline order, one at a time', async () => {
      const stages = await page.$$eval('#canvas .stage', (els) => els.map((e) => ({ name: e.getAttribute('data-name'), nodes: e.querySelectorAll('svg g.node').length, hidden: (e as HTMLElement).hidden })));
      expect(stages.map((s) => s.name)).toEqual(['as loaded', ...PASSES]);
      for (const s of stages) expect(s.nodes, s.name!).toBeGreaterThan(5);
      expect(stages.filter((s) => !s.hidden).map((s) => s.name)).toEqual([PASSES.at(-1)]);
      await page.locator('#slider').evaluate((e) => {
        (e as HTMLInputElement).value = '0';
        e.dispatchEvent(new Event('input'));
      });
      expect(await page.$$eval('#canvas .stage', (els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => e.getAttribute('data-name')))).toEqual(['as loaded']);
      const fuse = PASSES.indexOf('fuse-attention') + 1;
      await page.locator(`nav li button[data-stage="${fuse}"]`).click();
      const visible = page.locator(`#canvas .stage[data-stage="${fuse}"]`);
      expect(await visible.isVisible()).toBe(true);
      // What the pass made is drawn with the highlight border, and the list says how much changed.
      expect(await visible.locator('g.node [stroke="#d81b60"]').count()).toBeGreaterThan(0);
      expect(await page.locator(`nav li button[data-stage="${fuse}"] .delta`).textContent()).toMatch(/[1-9]\d* new or changed/);
      expect(await page.locator('#notes').textContent()).toMatch(/attention/);
    });

    it('shows a node\'s op, attributes, types, source line, label, kernel and code on click', async () => {
      const last = PASSES.length;
      await page.locator(`nav li button[data-stage="${last}"]`).click();
      // A Linear's gemm of block 0's MLP, found by its label in the page's own data.
      const id = await page.evaluate((k) => {
        const data = JSON.parse(document.getElementById('opgraph-data')!.textContent!) as { stages: { info: Record<string, { op: string; label?: string; source?: string }> }[] };
        const info = data.stages[k]!.info;
        return Object.keys(info).find((n) => info[n]!.op === 'gemm' && info[n]!.label === 'h.0.mlp.c_fc' && info[n]!.source !== undefined);
      }, last);
      expect(id).toBeDefined();
      const node = page.locator(`#canvas .stage[data-stage="${last}"] g.node`).filter({ has: page.locator(`title:text-is("${id}")`) });
      await node.locator('polygon, path, ellipse').first().click({ force: true });
      const text = await page.locator('#details').textContent();
      expect(await page.locator('#details').getAttribute('data-node')).toBe(id);
      expect(text).toMatch(/^gemm/);
      expect(text).toContain('labelh.0.mlp.c_fc');
      expect(text).toMatch(/sourceexamples\/tiny-gpt\.ts:\d+:\d+/);
      expect(text).toMatch(/transB: (true|false)/);
      expect(text).toMatch(/inputs%\d+: f32\[1,16,64\]/);
      expect(text).toMatch(/outputs%\d+: f32\[1,16,256\]/);
      expect(text).toMatch(/kernelk\d+_gemm/);
      const code = await page.locator('#details pre.code').textContent();
      expect(code).toMatch(/^function k\d+_gemm\(/);
      expect(await node.evaluate((g) => g.classList.contains('selected'))).toBe(true);
    });

    it('finds nodes by op or label and marks them', async () => {
      await page.locator('#search').fill('attn.c_proj');
      expect(await page.locator('#hits button').count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator(`#canvas .stage:not([hidden]) g.node.hit`).count()).toBeGreaterThanOrEqual(2);
      await page.locator('#hits button').first().click();
      expect(await page.locator('#details').textContent()).toContain('attn.c_proj');
      await page.locator('#search').fill('');
      expect(await page.locator('g.node.hit').count()).toBe(0);
    });

    it('runs the hostile-named page with no error and no script of the names\'', async () => {
      const other = await (await browser.newContext({ offline: true })).newPage();
      const seen: string[] = [];
      other.on('pageerror', (e) => seen.push(e.message));
      other.on('dialog', (d) => {
        seen.push(`dialog ${d.message()}`);
        void d.dismiss();
      });
      await other.goto(pathToFileURL(hostileFile).href);
      await other.waitForFunction(() => (window as { opgraphViewerReady?: boolean }).opgraphViewerReady === true, undefined, { timeout: 30_000 });
      expect(await other.locator('script').count()).toBe(2);
      const labels = await other.locator('#canvas .stage:not([hidden]) g.node text').allTextContents();
      expect(labels).toContain('</script><script>evil()</script>');
      expect(seen).toEqual([]);
      await other.close();
    });

    it('asked for nothing but its own file, and raised no error', () => {
      expect(requests.filter((u) => u !== pathToFileURL(file).href)).toEqual([]);
      expect(errors).toEqual([]);
    });
  });
});
