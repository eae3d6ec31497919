// Describes the machine a benchmark ran on.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU model, core count, Node version. */
export function machine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const m = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1]!.trim();
  } catch {
    // not Linux: os.cpus() is enough
  }
  return `${model}, ${cpus().length} cores, Node ${process.version}`;
}
