// A bounded slice of `npm run fuzz` (every target, two child-process CLI cases), plus proof that
// the harness's verdicts can fail: a target that crashes, hangs, over-allocates or prints a
// multi-line message is counted as such.
import { describe, expect, it } from 'vitest';
import { OpgraphError, SafetensorsError } from '../../src/errors.ts';
import { type FuzzReport, type FuzzTarget, HangError, formatReport, runFuzz, totals } from '../../scripts/fuzz/harness.ts';
import { BYTE_MUTATORS } from '../../scripts/fuzz/mutate.ts';
import { TARGETS } from '../../scripts/fuzz/targets.ts';

const counts = (r: FuzzReport): unknown =>
  Object.fromEntries(Object.entries(r.targets).map(([k, c]) => [k, { ...c, slowestMs: undefined }]));

describe('fuzz slice', () => {
  it('ends every case in a result or a typed one-line error, on every target', async () => {
    const report = await runFuzz(TARGETS, { cases: 404, seed: 7, childCases: 4, timeBoundMs: 2000 });
    const all = totals(report);
    expect(report.findings, formatReport(report)).toEqual([]);
    expect(all.crashes).toBe(0);
    expect(all.hangs).toBe(0);
    expect(all.cases).toBe(404);
    expect(Object.keys(report.targets).sort()).toEqual(TARGETS.map((t) => t.name).sort());
    expect(all.ok).toBeGreaterThan(20);
    for (const kind of ['SafetensorsError', 'BindingError', 'LimitError']) expect(all.errors[kind], kind).toBeGreaterThan(0);
  }, 120_000);

  it('is deterministic for a seed', async () => {
    const inProcess = TARGETS.filter((t) => !t.childProcess);
    const run = (): Promise<FuzzReport> => runFuzz(inProcess, { cases: 150, seed: 3, childCases: 0, timeBoundMs: 2000 });
    expect(counts(await run())).toEqual(counts(await run()));
  });
});

describe('fuzz verdicts', () => {
  const fake = (name: string, load: FuzzTarget['load']): FuzzTarget => ({
    name,
    weight: 1,
    seeds: async () => [new Uint8Array(16)],
    mutators: BYTE_MUTATORS,
    load,
  });
  const verdict = async (t: FuzzTarget): Promise<FuzzReport> => runFuzz([t], { cases: 3, seed: 1, childCases: 0, timeBoundMs: 50 });

  it('counts typed errors by kind and untyped ones as crashes', async () => {
    const typed = await verdict(fake('typed', () => { throw new SafetensorsError('bad'); }));
    expect(typed.targets.typed!.errors).toEqual({ SafetensorsError: 3 });
    const crash = await verdict(fake('crash', () => { throw new TypeError('x is undefined'); }));
    expect(crash.targets.crash!.crashes).toBe(3);
    expect(crash.findings[0]!.what).toBe('crash: TypeError: x is undefined');
    const twoLines = await verdict(fake('lines', () => { throw new OpgraphError('one\ntwo'); }));
    expect(twoLines.targets.lines!.crashes).toBe(3);
  });

  it('counts slow cases and HangErrors as hangs, and large allocations as crashes', async () => {
    const slow = await verdict(fake('slow', () => new Promise((r) => setTimeout(r, 80))));
    expect(slow.targets.slow!.hangs).toBe(3);
    const killed = await verdict(fake('killed', () => { throw new HangError('killed'); }));
    expect(killed.targets.killed!.hangs).toBe(3);
    // Large enough that buffers the collector frees during a case cannot hide it from the arrayBuffers delta.
    const kept: ArrayBuffer[] = [];
    const hog = await verdict(fake('hog', () => void kept.push(new ArrayBuffer(256 << 20))));
    expect(hog.targets.hog!.crashes).toBe(3);
    expect(hog.findings[0]!.what).toMatch(/^allocated \d+ bytes for a \d+-byte input$/);
  });
});
