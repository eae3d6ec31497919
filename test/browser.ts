// Headless Chromium for the end-to-end tests: where the browser is, the flags this machine needs
// (no network, no sandbox as root), a static server on 127.0.0.1, and a page run to its result.
import { existsSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Why the browser tests cannot run here, or undefined when they can. */
export const chromiumMissing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (Debian package chromium)`;

/** A file served: content type and body. */
export type Served = readonly [string, string | Uint8Array];

/** Serves `files` (path -> file) on 127.0.0.1 at an ephemeral port, each response with `headers`. */
export async function serve(files: ReadonlyMap<string, Served>, headers: Readonly<Record<string, string>> = {}): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const file = files.get(req.url ?? '');
    res.writeHead(file ? 200 : 404, { 'content-type': file?.[0] ?? 'text/plain', ...headers });
    res.end(file?.[1] ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

/** Opens `url` in headless Chromium and returns `window.result` once the page sets it, with the console's lines. */
export async function pageResult<T>(url: string, extraArgs: readonly string[] = []): Promise<{ result: T; console: string[] }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] });
  try {
    const page = await browser.newPage();
    const lines: string[] = [];
    page.on('console', (m) => lines.push(m.text()));
    await page.goto(url);
    await page.waitForFunction(() => (window as { result?: unknown }).result !== undefined, undefined, { timeout: 60_000 });
    return { result: (await page.evaluate(() => (window as { result?: unknown }).result)) as T, console: lines };
  } finally {
    await browser.close();
  }
}
