// Describes the machine a benchmark ran on.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU model, core count, its vector extensions (Linux), Node version. */
export function machine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU';
  let vector = '';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /model name\s*:\s*(.+)/.exec(info);
    if (m) model = m[1]!.trim();
    const flags = new Set(/flags\s*:\s*(.+)/.exec(info)?.[1]!.split(' '));
    vector = ['fma', 'avx2', 'avx512f'].filter((f) => flags.has(f)).map((f) => f.toUpperCase()).join(', ');
  } catch {
    // not Linux: os.cpus() is enough
  }
  return `${model}, ${cpus().length} cores${vector ? ` (${vector})` : ''}, Node ${process.version}`;
}
