// Runs every op case table: shape rules (including error cases) and reference semantics.
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.ts';
import { inferNode } from '../../src/ops/infer.ts';
import { OPS, OP_KINDS } from '../../src/ops/table.ts';
import type { OpAttrs, OpKind } from '../../src/ops/attrs.ts';
import { compareTensors } from '../../src/runtime/compare.ts';
import { formatType } from '../../src/ir/types.ts';
import type { OpCase } from './case.ts';
import { unaryCases } from './cases/unary.ts';
import { binaryCases } from './cases/binary.ts';
import { sourceCases } from './cases/source.ts';
import { matmulCases } from './cases/matmul.ts';
import { normalizeCases } from './cases/normalize.ts';
import { reduceCases } from './cases/reduce.ts';
import { layoutCases } from './cases/layout.ts';
import { combineCases } from './cases/combine.ts';
import { gatherCases } from './cases/gather.ts';
import { cacheCases } from './cases/cache.ts';
import { fusedCases } from './cases/fused.ts';
import { attentionCases } from './cases/attention.ts';
import { recurrentCases } from './cases/recurrent.ts';
import { tileCases } from './cases/tiles.ts';
import { lineCases } from './cases/lines.ts';
import { scatterCases } from './cases/scatter.ts';
import { bitwiseCases } from './cases/bitwise.ts';
import { narrowFloatCases } from './cases/narrow-floats.ts';
import { convCases } from './cases/conv.ts';
import { poolCases } from './cases/pool.ts';

const ALL: readonly OpCase[] = [
  ...unaryCases,
  ...binaryCases,
  ...sourceCases,
  ...matmulCases,
  ...normalizeCases,
  ...reduceCases,
  ...layoutCases,
  ...combineCases,
  ...gatherCases,
  ...cacheCases,
  ...fusedCases,
  ...attentionCases,
  ...recurrentCases,
  ...tileCases,
  ...lineCases,
  ...scatterCases,
  ...bitwiseCases,
  ...narrowFloatCases,
  ...convCases,
  ...poolCases,
];

function attrsOf(c: OpCase): OpAttrs[OpKind] {
  return c.attrs as OpAttrs[OpKind];
}

describe('op table', () => {
  it('has value cases and error cases for every op kind', () => {
    const missingValue = OP_KINDS.filter((k) => !ALL.some((c) => c.op === k && 'expect' in c));
    const missingError = OP_KINDS.filter(
      (k) => OPS[k].arity.max > 0 && !ALL.some((c) => c.op === k && 'error' in c),
    );
    expect(missingValue).toEqual([]);
    expect(missingError).toEqual([]);
  });
});

describe.each(OP_KINDS)('%s', (kind) => {
  const own = ALL.filter((c) => c.op === kind);
  it.each(own.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    if ('error' in c) {
      let thrown: unknown;
      try {
        inferNode(c.op, attrsOf(c), c.inputs);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(ShapeError);
      expect((thrown as Error).message).toMatch(c.error);
      return;
    }
    const outTypes = inferNode(c.op, attrsOf(c), c.inputs);
    expect(outTypes.map(formatType)).toEqual(c.expect.map(formatType));
    const def = OPS[c.op] as (typeof OPS)[OpKind];
    const got = (def.evaluate as (i: typeof c.inputs, a: unknown, o: typeof outTypes) => ReturnType<typeof def.evaluate>)(
      c.inputs,
      c.attrs,
      outTypes,
    );
    expect(got.length).toBe(c.expect.length);
    got.forEach((t, i) => {
      const cmp = compareTensors(t, c.expect[i]!, c.rtol ?? 1e-5, c.atol ?? 1e-6);
      expect(cmp.reason ?? 'ok', `output ${i}`).toBe('ok');
    });
  });
});
