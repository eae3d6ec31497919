// Whether two graphs are the same graph: the same canonical lines (inputs, weights, nodes,
// outputs) and the same bytes in every tensor they hold (constants, tensor attributes, weight
// data), since the printed form shows a large tensor only as a short digest.
import type { Graph, Node } from '../../ir/graph.ts';
import { formatNode, nodeRef } from '../../ir/print.ts';
import type { Tensor } from '../../ir/tensor.ts';
import { formatType } from '../../ir/types.ts';

function isTensor(v: unknown): v is Tensor {
  return !!v && typeof v === 'object' && 'data' in v && 'dtype' in v && 'shape' in v;
}

function sameBytes(a: Tensor | undefined, b: Tensor | undefined): boolean {
  if (!a || !b) return a === b;
  if (a === b) return true;
  const [x, y] = [a.data, b.data];
  if (x.byteLength !== y.byteLength) return false;
  const [u, v] = [new Uint8Array(x.buffer, x.byteOffset, x.byteLength), new Uint8Array(y.buffer, y.byteOffset, y.byteLength)];
  for (let i = 0; i < u.length; i++) if (u[i] !== v[i]) return false;
  return true;
}

function sameTensorAttrs(a: Node, b: Node): boolean {
  const attrs = (n: Node) => n.attrs as Readonly<Record<string, unknown>>;
  return Object.keys(attrs(a)).every((k) => {
    const [x, y] = [attrs(a)[k], attrs(b)[k]];
    return !isTensor(x) || (isTensor(y) && sameBytes(x, y));
  });
}

/** Where `a` and `b` first differ (`node %12 mul "/model/Mul": ... vs ...`), or undefined when they are the same graph. */
export function firstDifference(a: Graph, b: Graph): string | undefined {
  const lines = (g: Graph) => [...g.inputs.map((i) => `input %${i.id}: ${formatType(i.type)} ${JSON.stringify(i.name)}`), ...g.weights.map((w) => `weight %${w.id}: ${formatType(w.type)} ${JSON.stringify(w.name)}`)];
  const [la, lb] = [lines(a), lines(b)];
  for (let i = 0; i < Math.max(la.length, lb.length); i++) if (la[i] !== lb[i]) return `${la[i] ?? 'nothing'} vs ${lb[i] ?? 'nothing'}`;
  for (let i = 0; i < a.weights.length; i++) if (!sameBytes(a.weights[i]!.data, b.weights[i]!.data)) return `the data of weight ${JSON.stringify(a.weights[i]!.name)}`;
  for (let i = 0; i < Math.max(a.nodes.length, b.nodes.length); i++) {
    const [x, y] = [a.nodes[i], b.nodes[i]];
    if (!x || !y) return `node ${x ? nodeRef(x) : nodeRef(y!)}, present in one graph only`;
    const [fx, fy] = [formatNode(x), formatNode(y)];
    if (fx !== fy) return `node ${nodeRef(x)}: ${fx} vs ${fy}`;
    if (!sameTensorAttrs(x, y)) return `node ${nodeRef(x)}: the values of its constant tensor (${fx})`;
  }
  const outs = (g: Graph) => g.outputs.map((o) => `${o.name}=%${o.id}`).join(', ');
  return outs(a) === outs(b) ? undefined : `the outputs: ${outs(a)} vs ${outs(b)}`;
}
