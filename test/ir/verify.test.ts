// The verifier: accepts every example graph; rejects each kind of malformed graph with a precise message.
import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../src/errors.ts';
import type { Graph, Node } from '../../src/ir/graph.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { verifyGraph } from '../../src/ir/verify.ts';
import { EXAMPLE_NAMES, buildExample } from '../example-graphs.ts';

const t = tensorType;

/** x: f32[2,3] @ w: f32[3,4] -> %2, relu -> %3; outputs y = %3. */
function good(): Graph {
  return {
    name: 'g',
    inputs: [{ id: 0, name: 'x', type: t('f32', [2, 3]) }],
    weights: [{ id: 1, name: 'w', type: t('f32', [3, 4]), data: f32([3, 4]) }],
    nodes: [
      { op: 'matmul', attrs: { transA: false, transB: false }, inputs: [0, 1], outputs: [{ id: 2, type: t('f32', [2, 4]) }] },
      { op: 'relu', attrs: {}, inputs: [2], outputs: [{ id: 3, type: t('f32', [2, 4]) }] },
    ],
    outputs: [{ name: 'y', id: 3 }],
  };
}

/** `good()` with some fields replaced. */
function bad(patch: Partial<Graph>): Graph {
  return { ...good(), ...patch };
}

/** The VerifyError message `verifyGraph(g, pass)` throws (fails the test if it does not throw one). */
function rejection(g: Graph, pass?: string): string {
  try {
    verifyGraph(g, pass);
  } catch (e) {
    expect(e).toBeInstanceOf(VerifyError);
    return (e as Error).message;
  }
  throw new Error('verifyGraph accepted a malformed graph');
}

const [matmul, relu] = good().nodes as [Node, Node];

describe('verifyGraph accepts', () => {
  it('finds the examples', () => {
    expect(EXAMPLE_NAMES).toContain('mha');
    expect(EXAMPLE_NAMES).not.toContain('demo');
    expect(EXAMPLE_NAMES.length).toBeGreaterThanOrEqual(7);
  });

  it.each(EXAMPLE_NAMES)('the graph of examples/%s.ts', async (name) => {
    const g = await buildExample(name);
    expect(g.nodes.length).toBeGreaterThan(0);
    expect(() => verifyGraph(g)).not.toThrow();
    expect(() => verifyGraph(g, 'any-pass')).not.toThrow();
  });

  it('a small hand-written graph', () => {
    expect(() => verifyGraph(good())).not.toThrow();
    expect(() => verifyGraph(good(), 'p')).not.toThrow();
  });
});

describe('verifyGraph rejects', () => {
  it('a use before its definition, naming the node and the value', () => {
    const msg = rejection(bad({ nodes: [relu, matmul] }));
    expect(msg).toContain('node %3 (relu) reads %2 before it is defined');
  });

  it('a value id defined twice', () => {
    const dup = { ...relu, outputs: [{ id: 1, type: t('f32', [2, 4]) }] } as Node;
    const msg = rejection(bad({ nodes: [matmul, dup] }));
    expect(msg).toContain('value %1 is defined twice');
    expect(msg).toContain('node %1 (relu)');
  });

  it('an input id that is also a weight id', () => {
    const msg = rejection(bad({ weights: [{ id: 0, name: 'w', type: t('f32', [3, 4]) }] }));
    expect(msg).toContain('value %0 is defined twice (again by weight "w")');
  });

  it('duplicate input, weight and output names', () => {
    const x2 = { id: 5, name: 'x', type: t('f32', [1]) };
    expect(rejection(bad({ inputs: [...good().inputs, x2] }))).toContain('duplicate input name "x"');
    const w2 = { id: 5, name: 'w', type: t('f32', [1]) };
    expect(rejection(bad({ weights: [...good().weights, w2] }))).toContain('duplicate weight name "w"');
    const y2 = { name: 'y', id: 2 };
    expect(rejection(bad({ outputs: [...good().outputs, y2] }))).toContain('duplicate output name "y"');
  });

  it('an unknown op kind, naming the node and the kind', () => {
    const odd = { ...relu, op: 'frobnicate' } as unknown as Node;
    const msg = rejection(bad({ nodes: [matmul, odd] }));
    expect(msg).toContain('node %3 (frobnicate): unknown op kind "frobnicate"');
  });

  it('a recorded output type that disagrees with the op rule', () => {
    const wrong = { ...matmul, outputs: [{ id: 2, type: t('f32', [2, 5]) }] } as Node;
    const msg = rejection(bad({ nodes: [wrong, relu] }));
    expect(msg).toContain('node %2 (matmul)');
    expect(msg).toContain('f32[2,5]'); // recorded
    expect(msg).toContain('f32[2,4]'); // the rule's
    expect(msg).toContain('f32[2,3], f32[3,4]'); // input types
  });

  it('a recorded dtype that disagrees with the op rule', () => {
    const wrong = { ...relu, outputs: [{ id: 3, type: t('i32', [2, 4]) }] } as Node;
    const msg = rejection(bad({ nodes: [matmul, wrong] }));
    expect(msg).toMatch(/node %3 \(relu\) output %3 is i32\[2,4\] but relu of f32\[2,4\] gives f32\[2,4\]/);
  });

  it('wrong arity, naming the node, the op and the input types', () => {
    const three = { ...relu, inputs: [2, 2] } as Node;
    const msg = rejection(bad({ nodes: [matmul, three] }));
    expect(msg).toContain('node %3 (relu) with inputs f32[2,4], f32[2,4]');
    expect(msg).toContain('expects 1 inputs, got 2');
  });

  it('a node with too many recorded outputs', () => {
    const two = { ...relu, outputs: [{ id: 3, type: t('f32', [2, 4]) }, { id: 4, type: t('f32', [2, 4]) }] } as Node;
    expect(rejection(bad({ nodes: [matmul, two] }))).toContain('node %3 (relu) has 2 outputs, its op rule gives 1');
  });

  it('an op rule violation, naming node, op and input types', () => {
    const mm = { ...matmul, inputs: [0, 0] } as Node;
    const msg = rejection(bad({ nodes: [mm, relu] }));
    expect(msg).toContain('node %2 (matmul) with inputs f32[2,3], f32[2,3]');
    expect(msg).toContain('inner dimensions differ (3 vs 2)');
  });

  it('weight data whose type differs from the weight type', () => {
    const w = { id: 1, name: 'w', type: t('f32', [3, 4]), data: f32([4, 3]) };
    expect(rejection(bad({ weights: [w] }))).toContain('weight "w" is f32[3,4] but its data is f32[4,3]');
  });

  it('an output referring to an undefined value', () => {
    expect(rejection(bad({ outputs: [{ name: 'z', id: 42 }] }))).toContain('output "z" refers to undefined %42');
  });

  it('an empty name', () => {
    expect(rejection(bad({ outputs: [{ name: '', id: 3 }] }))).toContain('output has an empty name');
  });

  it('with a pass given, prefixes the message with `after pass NAME:`', () => {
    const msg = rejection(bad({ nodes: [relu, matmul] }), 'fold-constants');
    expect(msg.startsWith('after pass fold-constants: ')).toBe(true);
    expect(msg).toContain('graph "g"');
    expect(msg).toContain('node %3 (relu)');
    const shape = rejection(bad({ nodes: [{ ...matmul, inputs: [0, 0] } as Node, relu] }), 'p');
    expect(shape.startsWith('after pass p: ')).toBe(true);
  });

  it('names the node label when there is one', () => {
    const labelled = { ...relu, inputs: [7], label: 'encoder.fc' } as Node;
    expect(rejection(bad({ nodes: [matmul, labelled] }))).toContain('node %3 (relu) ["encoder.fc"] reads %7');
  });
});
