// Fully masked attention rows on WGSL. The WGSL contract (contract.ts) compares op cases on their
// finite elements only; the attention kernel, though, writes the NaN of a row whose keys are all
// masked explicitly (its bit pattern, not 0 / 0), so here the NaN positions are checked too: the
// WGSL outputs and weights are NaN exactly where the case's expected values are.
import { describe, expect, it } from 'vitest';
import { compileWgsl } from '../../src/compile.ts';
import type { Tensor } from '../../src/ir/tensor.ts';
import { attentionCases } from '../ops/cases/attention.ts';
import type { ValueCase } from '../ops/case.ts';
import { namedInputs, oneNodeGraph } from '../codegen/helpers.ts';
import { adapterOrReason, skipNote } from './adapter.ts';

const { gpu, reason } = await adapterOrReason();
const masked = attentionCases.filter((c): c is typeof c & ValueCase => 'expect' in c && /fully masked/.test(c.name));

/** Indices of the NaN elements of `t`. */
const nans = (t: Tensor): number[] => Array.from(t.data as Float32Array).flatMap((v, i) => (Number.isNaN(v) ? [i] : []));

describe.skipIf(!gpu)(`fully masked attention rows on WGSL${skipNote(reason)}`, () => {
  if (!gpu) it('NaN exactly where the interpreter has NaN', () => {});
  it('has cases with fully masked rows', () => expect(masked.length).toBeGreaterThanOrEqual(3));
  it.each(masked.map((c) => [c.name, c] as const))('%s: NaN exactly where expected', async (_name, c) => {
    const model = await compileWgsl(oneNodeGraph(c.name, c.op, c.attrs, c.inputs), { level: 0 });
    try {
      const out = await model.run(new Map(Object.entries(namedInputs(c.inputs))));
      c.expect.forEach((want, k) => {
        const got = out[`y${k}`]!;
        expect(nans(want).length, `expected output ${k} has NaN rows`).toBeGreaterThan(0);
        expect(nans(got), `NaN positions of output ${k}`).toEqual(nans(want));
      });
    } finally {
      model.destroy();
    }
  });
});
