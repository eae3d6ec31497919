// The verifier: well-formed SSA, and every node's recorded types equal its op's shape rule.
import { VerifyError, ShapeError } from '../errors.ts';
import { describeNode, inferNode } from '../ops/infer.ts';
import { isOpKind } from '../ops/table.ts';
import type { Graph, ValueId } from './graph.ts';
import { type TensorType, formatType, sameType } from './types.ts';

/**
 * Checks `g` and throws a VerifyError naming the first problem (and `pass`, when given):
 * unique ids and names, every use after its definition, known ops, types matching the op rules,
 * weight data matching weight types, outputs defined.
 */
export function verifyGraph(g: Graph, pass?: string): void {
  const ctx = pass ? `after pass ${pass}: ` : '';
  const bad = (msg: string): never => {
    throw new VerifyError(`${ctx}graph ${JSON.stringify(g.name)}: ${msg}`);
  };
  const types = new Map<ValueId, TensorType>();
  const define = (id: ValueId, t: TensorType, what: string): void => {
    if (!Number.isInteger(id) || id < 0) bad(`${what} has invalid id ${id}`);
    if (types.has(id)) bad(`value %${id} is defined twice (again by ${what})`);
    types.set(id, t);
  };
  uniqueNames(g.inputs.map((i) => i.name), 'input', bad);
  uniqueNames(g.weights.map((w) => w.name), 'weight', bad);
  uniqueNames(g.outputs.map((o) => o.name), 'output', bad);
  for (const i of g.inputs) define(i.id, i.type, `input ${JSON.stringify(i.name)}`);
  for (const w of g.weights) {
    define(w.id, w.type, `weight ${JSON.stringify(w.name)}`);
    if (w.data && !sameType(w.data, w.type)) {
      bad(`weight ${JSON.stringify(w.name)} is ${formatType(w.type)} but its data is ${formatType(w.data)}`);
    }
  }
  for (const n of g.nodes) {
    const where = describeNode(n.op, n.outputs[0]?.id, n.label);
    if (!isOpKind(n.op)) bad(`${where}: unknown op kind ${JSON.stringify(n.op)}`);
    const inTypes = n.inputs.map((id) => types.get(id) ?? bad(`${where} reads %${id} before it is defined`));
    let expected: TensorType[] = [];
    try {
      expected = inferNode(n.op, n.attrs as never, inTypes, where);
    } catch (e) {
      if (e instanceof ShapeError) bad(e.message);
      throw e;
    }
    if (expected.length !== n.outputs.length) bad(`${where} has ${n.outputs.length} outputs, its op rule gives ${expected.length}`);
    n.outputs.forEach((o, k) => {
      if (!sameType(o.type, expected[k]!)) {
        bad(`${where} output %${o.id} is ${formatType(o.type)} but ${n.op} of ${inTypes.map(formatType).join(', ')} gives ${formatType(expected[k]!)}`);
      }
      define(o.id, o.type, where);
    });
  }
  for (const o of g.outputs) if (!types.has(o.id)) bad(`output ${JSON.stringify(o.name)} refers to undefined %${o.id}`);
}

function uniqueNames(names: readonly string[], what: string, bad: (m: string) => never): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string' || n.length === 0) bad(`${what} has an empty name`);
    if (seen.has(n)) bad(`duplicate ${what} name ${JSON.stringify(n)}`);
    seen.add(n);
  }
}
