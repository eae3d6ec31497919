// The reference interpreter: runs any graph node by node with each op's reference semantics.
// It is the oracle every pass and backend is tested against, so it favours clarity over speed.
import { IndexError, OpgraphError } from '../errors.ts';
import type { Graph, Node, ValueId } from '../ir/graph.ts';
import type { Tensor } from '../ir/tensor.ts';
import { formatType, sameType } from '../ir/types.ts';
import { describeNode } from '../ops/infer.ts';
import { OPS } from '../ops/table.ts';
import { checkGraphMemory } from '../codegen/budget.ts';
import { type BindOptions, type NamedTensors, bindValues } from './bind.ts';

/** Options of one interpreted run. */
export interface InterpretOptions extends BindOptions {
  /** Weight values by name; graph weights carrying data need none. */
  readonly weights?: NamedTensors;
  /** Called after each node with its outputs (for debugging and differential tools). */
  readonly onNode?: (node: Node, outputs: readonly Tensor[]) => void;
  /** Refuse (LimitError) a graph whose memory plan needs more bytes than this, before running (default: no check). */
  readonly maxMemoryBytes?: number;
}

/** Runs `g` on `inputs` and returns each graph output by name. */
export function interpret(g: Graph, inputs: NamedTensors, opts: InterpretOptions = {}): Record<string, Tensor> {
  if (opts.maxMemoryBytes !== undefined) checkGraphMemory(g, opts.maxMemoryBytes);
  const env = bindValues(g, inputs, opts.weights, opts);
  const lastUse = lastUses(g);
  g.nodes.forEach((node, idx) => {
    const args = node.inputs.map((id) => env.get(id)!);
    const outs = evaluateNode(node, args);
    node.outputs.forEach((o, k) => env.set(o.id, outs[k]!));
    opts.onNode?.(node, outs);
    // Drop values no later node or output needs, so peak memory follows liveness.
    for (const id of node.inputs) if (lastUse.get(id) === idx) env.delete(id);
  });
  // fromEntries defines own properties, so even an output named __proto__ is a plain key.
  return Object.fromEntries(g.outputs.map((o) => [o.name, env.get(o.id)!]));
}

/** Evaluates one node on concrete tensors, checking the result against the node's recorded types. */
export function evaluateNode(node: Node, args: readonly Tensor[]): Tensor[] {
  const def = OPS[node.op];
  const types = node.outputs.map((o) => o.type);
  let outs: Tensor[];
  try {
    outs = (def.evaluate as (i: readonly Tensor[], a: unknown, o: typeof types) => Tensor[])(args, node.attrs, types);
  } catch (e) {
    // A data-dependent failure (an index out of range) names the node, as generated code does.
    if (e instanceof IndexError) throw new IndexError(`${describeNode(node.op, node.outputs[0]?.id, node.label)}: ${e.message}`, { cause: e });
    throw e;
  }
  outs.forEach((t, k) => {
    if (!sameType(t, types[k]!)) {
      const where = describeNode(node.op, node.outputs[0]?.id, node.label);
      throw new OpgraphError(`${where} produced ${formatType(t)} for output ${k}, expected ${formatType(types[k]!)}`);
    }
  });
  return outs;
}

/** Index of the last node reading each value; graph outputs are read "after" every node. */
function lastUses(g: Graph): Map<ValueId, number> {
  const last = new Map<ValueId, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((id) => last.set(id, i)));
  for (const o of g.outputs) last.set(o.id, Infinity);
  return last;
}
