// RotaryEmbedding (opset 23) as primitives, in the [batch, seq, heads, head] layout of ONNX's
// reference: cos and sin gathered at position_ids (when given; a gather, so positions are range
// checked), the rotated part split in halves (or even and odd elements with `interleaved`),
// (x1 cos - x2 sin, x1 sin + x2 cos) put back in place, the rest of each head passed through.
import type { NodeContext, Val } from '../context.ts';
import type { Lowerings } from './lowering.ts';

function rotaryEmbedding(c: NodeContext): Val[] {
  const x0 = c.input(0);
  const rank = x0.type.shape.length;
  if (rank !== 3 && rank !== 4) c.fail(`input must be 3-D [batch, seq, hidden] or 4-D [batch, heads, seq, head], got ${c.fmt(x0)}`);
  const slice = (v: Val, start: number, end: number, step = 1): Val => c.op1('slice', { starts: [start], ends: [end], axes: [-1], steps: [step] }, [v]);
  let x = rank === 4 ? c.op1('transpose', { perm: [0, 2, 1, 3] }, [x0]) : x0;
  const [b, s] = x.type.shape as [number, number];
  if (rank === 3) {
    const heads = c.int('num_heads', 0);
    const hidden = x.type.shape[2]!;
    if (!(heads > 0) || hidden % heads !== 0) c.fail(`num_heads ${heads} must be positive and divide the hidden size ${hidden} of a 3-D input`);
    x = c.op1('reshape', { shape: [b, s, heads, hidden / heads] }, [x]);
  }
  const head = x.type.shape[3]!;
  const rot = c.int('rotary_embedding_dim', 0) || head;
  if (rot > head || rot % 2 !== 0) c.fail(`rotary_embedding_dim ${rot} must be even and at most the head size ${head}`);
  const half = rot / 2;
  const positions = c.maybe(3);
  const table = (i: number): Val => {
    const t = positions ? c.op1('gather', { axis: 0 }, [c.input(i), positions]) : c.input(i);
    if (t.type.shape.join() !== [b, s, half].join()) c.fail(`${i === 1 ? 'cos' : 'sin'} values must be [${b},${s},${half}] (after position_ids), got ${c.fmt(t)}`);
    return c.op1('unsqueeze', { axes: [2] }, [t]);
  };
  const [cos, sin] = [table(1), table(2)];
  const interleaved = c.int('interleaved', 0) !== 0;
  const part = slice(x, 0, rot);
  const [x1, x2] = interleaved ? [slice(part, 0, rot, 2), slice(part, 1, rot, 2)] : [slice(part, 0, half), slice(part, half, rot)];
  const real = c.op1('sub', {}, [c.op1('mul', {}, [cos, x1]), c.op1('mul', {}, [sin, x2])]);
  const imag = c.op1('add', {}, [c.op1('mul', {}, [sin, x1]), c.op1('mul', {}, [cos, x2])]);
  let rotated = interleaved
    ? c.op1('reshape', { shape: [...part.type.shape] }, [c.op1('concat', { axis: -1 }, [c.op1('unsqueeze', { axes: [-1] }, [real]), c.op1('unsqueeze', { axes: [-1] }, [imag])])])
    : c.op1('concat', { axis: -1 }, [real, imag]);
  if (rot < head) rotated = c.op1('concat', { axis: -1 }, [rotated, slice(x, rot, head)]);
  return [rank === 4 ? c.op1('transpose', { perm: [0, 2, 1, 3] }, [rotated]) : c.op1('reshape', { shape: [...x0.type.shape] }, [rotated])];
}

/** The rotary embedding lowering. */
export const rotaryLowerings: Lowerings = { RotaryEmbedding: rotaryEmbedding };
