// The bench-only peer runtimes live in their own package folder (scripts/bench/peers, about 500 MB
// installed), so `npm install` at the repository root never fetches them. The bench installs them
// on first use with `npm ci` there, and loads them from there.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const PEERS_DIR = fileURLToPath(new URL('./peers/', import.meta.url));

/** Installs the peer packages unless they are there; returns why not when the install fails. */
export function installPeers(): string | undefined {
  if (existsSync(`${PEERS_DIR}node_modules/.package-lock.json`)) return undefined;
  process.stderr.write(`installing the peer runtimes into ${PEERS_DIR} (npm ci, once) ...\n`);
  try {
    // onnxruntime-node's postinstall would download GPU extras; the CPU binary ships in the package.
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: PEERS_DIR, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
    return undefined;
  } catch (e) {
    return `npm ci in ${PEERS_DIR} failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

const peerRequire = createRequire(`${PEERS_DIR}package.json`);

/** Loads a peer package (CommonJS build) from the peers folder, typed as the caller declares it. */
export function loadPeer<T>(name: string): T {
  return peerRequire(name) as T;
}

/** A peer package's installed version. */
export function peerVersion(name: string): string {
  return (JSON.parse(readFileSync(`${PEERS_DIR}node_modules/${name}/package.json`, 'utf8')) as { version: string }).version;
}
