// Helpers gradient rules are written with: a small expression builder over a GradContext, so a
// rule reads like the math (`d.mul(g, d.sub(one, d.mul(y, y)))`) and every node it adds is an
// ordinary op of the backward graph.
import type { ValueId } from '../ir/graph.ts';
import { tensor } from '../ir/tensor.ts';
import { type Shape, type TensorType, sameShape } from '../ir/types.ts';
import type { OpAttrs, OpKind } from './attrs.ts';
import type { GradContext, NoGrad } from './def.ts';

/** The declaration of an op whose outputs carry no gradient (integer, boolean or index results). */
export const NOT_DIFFERENTIABLE: NoGrad = { none: 'its result is not differentiable (integer, boolean or piecewise constant)' };

/** Where an emitter adds nodes: a gradient context, or any builder offering the same two calls. */
export type NodeSink = Pick<GradContext<OpKind>, 'type' | 'emit'>;

/** An expression builder over a gradient context (or any NodeSink: optimizers use it too). */
export class GradEmitter {
  constructor(private readonly ctx: NodeSink) {}

  type(v: ValueId): TensorType {
    return this.ctx.type(v);
  }

  shape(v: ValueId): Shape {
    return this.ctx.type(v).shape;
  }

  op<Q extends OpKind>(op: Q, attrs: OpAttrs[Q], inputs: readonly ValueId[]): ValueId {
    return this.ctx.emit(op, attrs, inputs)[0]!;
  }

  /** An f32 scalar constant. */
  scalar(x: number): ValueId {
    return this.op('constant', { value: tensor('f32', [], [x]) }, []);
  }

  /** Zeros of `shape` (a broadcast scalar, so no large literal is stored). */
  zeros(shape: Shape): ValueId {
    return this.op('expand', { shape: [...shape] }, [this.scalar(0)]);
  }

  add(a: ValueId, b: ValueId): ValueId { return this.op('add', {}, [a, b]); }
  sub(a: ValueId, b: ValueId): ValueId { return this.op('sub', {}, [a, b]); }
  mul(a: ValueId, b: ValueId): ValueId { return this.op('mul', {}, [a, b]); }
  div(a: ValueId, b: ValueId): ValueId { return this.op('div', {}, [a, b]); }
  neg(a: ValueId): ValueId { return this.op('neg', {}, [a]); }
  /** a * k for a number k. */
  scale(a: ValueId, k: number): ValueId { return k === 1 ? a : this.mul(a, this.scalar(k)); }
  /** where(cond, a, b). */
  where(c: ValueId, a: ValueId, b: ValueId): ValueId { return this.op('where', {}, [c, a, b]); }
  reshape(a: ValueId, shape: Shape): ValueId {
    return sameShape(this.shape(a), shape) ? a : this.op('reshape', { shape: [...shape] }, [a]);
  }
  sum(a: ValueId, axes: readonly number[], keepDims: boolean): ValueId {
    return this.op('reduceSum', { axes: [...axes], keepDims }, [a]);
  }
  expand(a: ValueId, shape: Shape): ValueId {
    return sameShape(this.shape(a), shape) ? a : this.op('expand', { shape: [...shape] }, [a]);
  }

  /** Sums a broadcast result's gradient `g` back to an operand of `shape` (numpy broadcasting undone). */
  unbroadcast(g: ValueId, shape: Shape): ValueId {
    const gs = this.shape(g);
    if (sameShape(gs, shape)) return g;
    const lead = gs.length - shape.length;
    const axes = gs.map((_, i) => i).filter((i) => i < lead || (shape[i - lead] === 1 && gs[i] !== 1));
    return this.reshape(axes.length ? this.sum(g, axes, true) : g, shape);
  }
}

/** Runs `rule` with an emitter; a convenience for the common single-output rules. */
export function gradWith<K extends OpKind>(rule: (d: GradEmitter, g: ValueId, ctx: GradContext<K>) => (ValueId | undefined)[]) {
  return (ctx: GradContext<K>): (ValueId | undefined)[] => rule(new GradEmitter(ctx), ctx.grads[0]!, ctx);
}
