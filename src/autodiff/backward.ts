// Reverse-mode differentiation as a graph transformation: appends to a builder the nodes that
// compute d loss / d v for chosen values v, walking the forward nodes backwards and applying each
// op's gradient rule (OpDef.grad). The result is an ordinary graph: passes and backends treat the
// backward nodes like any others (the elementwise chains of the rules fuse at -O1 and above).
import { OpgraphError, UnsupportedOpError } from '../errors.ts';
import type { IRBuilder } from '../ir/builder.ts';
import type { Node, ValueId } from '../ir/graph.ts';
import { tensor } from '../ir/tensor.ts';
import { formatType, numel, sameType } from '../ir/types.ts';
import type { OpKind } from '../ops/attrs.ts';
import type { GradContext, GradRule } from '../ops/def.ts';
import { describeNode } from '../ops/infer.ts';
import { OPS } from '../ops/table.ts';

/**
 * Appends the backward pass of `loss` (an f32 value of one element) over `nodes` (already in
 * `b`, in order) and returns the gradient of each `wrt` value: zeros where the loss does not
 * depend on it. Only f32 values carry gradients; integer and boolean values cut the chain.
 */
export function appendBackward(b: IRBuilder, nodes: readonly Node[], loss: ValueId, wrt: readonly ValueId[]): Map<ValueId, ValueId> {
  const lt = b.typeOf(loss);
  if (lt.dtype !== 'f32' || numel(lt.shape) !== 1) throw new OpgraphError(`the loss must be an f32 value of one element, got ${formatType(lt)}`);
  const active = activeValues(b, nodes, loss, wrt);
  const grads = new Map<ValueId, ValueId>();
  grads.set(loss, b.node('expand', { shape: [...lt.shape] }, [b.node('constant', { value: tensor('f32', [], [1]) }, [])[0]!.id])[0]!.id);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    const outGrads = n.outputs.map((o) => grads.get(o.id));
    const needs = n.inputs.map((v) => active.has(v));
    if (outGrads.every((g) => g === undefined) || !needs.some(Boolean)) continue;
    const inGrads = applyRule(b, n, outGrads, needs);
    n.inputs.forEach((v, k) => {
      const g = inGrads[k];
      if (!needs[k] || g === undefined) return;
      if (!sameType(b.typeOf(g), b.typeOf(v))) {
        throw new OpgraphError(`${where(n)}: gradient rule gave ${formatType(b.typeOf(g))} for input ${k} of type ${formatType(b.typeOf(v))}`);
      }
      const known = grads.get(v);
      grads.set(v, known === undefined ? g : b.node('add', {}, [known, g], gradLabel(n))[0]!.id);
    });
  }
  return new Map(wrt.map((v) => [v, grads.get(v) ?? zeros(b, v)]));
}

/** f32 values that depend on a `wrt` value and that the loss depends on: the ones needing gradients. */
function activeValues(b: IRBuilder, nodes: readonly Node[], loss: ValueId, wrt: readonly ValueId[]): Set<ValueId> {
  const f32 = (v: ValueId): boolean => b.typeOf(v).dtype === 'f32';
  const fromWrt = new Set(wrt.filter(f32));
  for (const n of nodes) if (n.inputs.some((v) => fromWrt.has(v))) for (const o of n.outputs) if (f32(o.id)) fromWrt.add(o.id);
  const toLoss = new Set([loss]);
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (n.outputs.some((o) => toLoss.has(o.id))) for (const v of n.inputs) toLoss.add(v);
  }
  return new Set([...fromWrt].filter((v) => toLoss.has(v)));
}

function applyRule(b: IRBuilder, n: Node, grads: readonly (ValueId | undefined)[], needs: readonly boolean[]): (ValueId | undefined)[] {
  const rule = OPS[n.op].grad;
  if ('none' in rule) throw new UnsupportedOpError(`cannot differentiate ${where(n)}: ${rule.none}`);
  const ctx: GradContext<OpKind> = {
    attrs: n.attrs,
    inputs: n.inputs,
    outputs: n.outputs.map((o) => o.id),
    grads,
    needs,
    type: (v) => b.typeOf(v),
    emit: (op, attrs, inputs) => b.node(op, attrs, inputs, gradLabel(n)).map((v) => v.id),
  };
  try {
    return (rule as GradRule<OpKind>)(ctx);
  } catch (e) {
    // A rule that meets a case it does not cover (a slice step) says so; name the node.
    if (e instanceof UnsupportedOpError) throw new UnsupportedOpError(`cannot differentiate ${where(n)}: ${e.message}`);
    throw e;
  }
}

function zeros(b: IRBuilder, v: ValueId): ValueId {
  const zero = b.node('constant', { value: tensor('f32', [], [0]) }, [])[0]!.id;
  return b.node('expand', { shape: [...b.typeOf(v).shape] }, [zero])[0]!.id;
}

const where = (n: Node): string => describeNode(n.op, n.outputs[0]?.id, n.label);
/** Backward nodes are labelled after the forward node they differentiate. */
const gradLabel = (n: Node): string => `grad ${n.label ?? n.op}`;
