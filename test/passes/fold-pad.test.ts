// fold-pad: zero padding in front of a conv (as the ONNX importer lowers Pad: a concat of zero
// borders per axis) becomes the conv's own pads; other pad values, non-spatial axes, mirrored
// borders and shared padded values are left alone; shared properties.
import { describe, expect, it } from 'vitest';
import { foldPad } from '../../passes/fold-pad.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, ValueId } from '../../src/ir/graph.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { checkPass, describeProperties, runChecked, weightData } from './harness.ts';

/** x [1, 2, 5, 6], padded per `pads` ([axis, before, after, value]) as the importer does, then a 3x3 conv with `convPads`. */
function padded(pads: readonly [number, number, number, number][], opts: { convPads?: number[]; share?: boolean; mirror?: boolean } = {}): Graph {
  const b = new IRBuilder('pad_conv');
  let cur = b.input('x', tensorType('f32', [1, 2, 5, 6])).id;
  for (const [axis, before, after, value] of pads) {
    const border = (len: number, first: boolean): ValueId => {
      const shape = b.typeOf(cur).shape.map((d, k) => (k === axis ? len : d));
      if (opts.mirror) return b.node('slice', { starts: [first ? len : 0], ends: [first ? 0 : len], axes: [axis], steps: [first ? -1 : 1] }, [cur])[0]!.id;
      return b.node('expand', { shape }, [b.node('constant', { value: f32([], [value]) }, [])[0]!.id])[0]!.id;
    };
    const parts = [...(before ? [border(before, true)] : []), cur, ...(after ? [border(after, false)] : [])];
    cur = b.node('concat', { axis }, parts)[0]!.id;
  }
  const cin = b.typeOf(cur).shape[1]!;
  const w = b.weight('w', tensorType('f32', [3, cin, 3, 3]), weightData([3, cin, 3, 3], 1)).id;
  const y = b.node('conv', { strides: [1, 1], dilations: [1, 1], pads: opts.convPads ?? [0, 0, 0, 0], group: 1 }, [cur, w])[0]!.id;
  b.output('out', y);
  if (opts.share) b.output('padded', cur);
  return b.finish();
}

const convOf = (g: Graph) => g.nodes.find((n) => n.op === 'conv')! as Extract<Graph['nodes'][number], { op: 'conv' }>;

describe('fold-pad', () => {
  it('folds zero padding of both spatial dims into the conv, adding to its own pads', () => {
    const g = padded([[2, 1, 2, 0], [3, 0, 1, 0]], { convPads: [1, 0, 0, 1] });
    const { out } = checkPass(foldPad, g, randomInputs(g, new Rng(0x9a)));
    expect(out.nodes.filter((n) => n.op === 'concat')).toEqual([]);
    const conv = convOf(out);
    expect(conv.attrs.pads).toEqual([2, 0, 2, 2]);
    expect(conv.inputs[0]).toBe(out.inputs[0]!.id);
  });

  it('folds -0 borders too (they add nothing to a sum)', () => {
    const g = padded([[3, 2, 2, -0]]);
    const { out } = checkPass(foldPad, g, randomInputs(g, new Rng(0x9b)));
    expect(convOf(out).attrs.pads).toEqual([0, 2, 0, 2]);
  });

  describe('leaves alone', () => {
    const left = (name: string, g: Graph): void => {
      it(name, () => expect(runChecked(foldPad, g).out).toBe(g));
    };
    left('a border of another value', padded([[2, 1, 1, 0.5]]));
    left('padding along the channel axis', padded([[1, 1, 0, 0]]));
    left('mirrored borders (reflect padding)', padded([[3, 1, 1, 0]], { mirror: true }));
    left('a padded value something else reads too', padded([[2, 1, 1, 0]], { share: true }));
  });
});

describeProperties(foldPad);
