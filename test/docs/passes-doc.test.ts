// docs/passes.md states what the program prints: its table of levels is PIPELINES, and the node
// and kernel counts of embedding-mha at -O0 and -O2 are the last row of `opgraph passes`. When a
// pass changes those numbers, this test names the page to update.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PIPELINES } from '../../passes/pipeline.ts';
import { ROOT, cli, lines } from '../cli/run-cli.ts';

const PAGE = readFileSync(`${ROOT}docs/passes.md`, 'utf8');

/** The last row of `opgraph passes MODEL -O{level}`: nodes after the pipeline and kernels per run. */
async function finalCounts(model: string, level: 0 | 2): Promise<{ nodes: number; kernels: number }> {
  const r = await cli(['passes', model, `-O${level}`]);
  expect(r.code, r.stderr).toBe(0);
  const last = lines(r.stdout).at(-1)!;
  const m = /->\s+(\d+)\s+(\d+)\s/.exec(last);
  expect(m, last).not.toBeNull();
  return { nodes: Number(m![1]), kernels: Number(m![2]) };
}

describe('docs/passes.md', () => {
  it.each([0, 1, 2] as const)('lists the passes of -O%i as passes/pipeline.ts runs them', (level) => {
    const row = new RegExp(`^\\| \`-O${level}\` \\| (.*) \\|$`, 'm').exec(PAGE);
    expect(row, `docs/passes.md has no row for -O${level}`).not.toBeNull();
    expect(row![1]).toBe(PIPELINES[level].map((p) => p.name).join(', '));
  });

  it('states the node and kernel counts that `opgraph passes embedding-mha` prints', async () => {
    const head = /^\| -O0 \((\d+) nodes, (\d+) kernels\) \| -O2 \((\d+) nodes, (\d+) kernels per run\) \|$/m.exec(PAGE);
    expect(head, 'docs/passes.md: the embedding-mha table header').not.toBeNull();
    const [o0, o2] = [await finalCounts('embedding-mha', 0), await finalCounts('embedding-mha', 2)];
    expect({ o0, o2 }).toEqual({
      o0: { nodes: Number(head![1]), kernels: Number(head![2]) },
      o2: { nodes: Number(head![3]), kernels: Number(head![4]) },
    });
    const said = /the (\d+) that `opgraph passes\s+embedding-mha`/.exec(PAGE);
    expect(Number(said?.[1]), 'docs/passes.md: "the N that `opgraph passes embedding-mha` ... report"').toBe(o2.kernels);
  });

  it('and `opgraph compile embedding-mha` reports the same kernel count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opgraph-passes-doc-'));
    try {
      const r = await cli(['compile', 'embedding-mha', '--target', 'ts', '--out', dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`: ${(await finalCounts('embedding-mha', 2)).kernels} kernels,`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
