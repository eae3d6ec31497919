// The canonical text form: a snapshot of a small graph, node syntax, hostile names and determinism.
import { describe, expect, it } from 'vitest';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { formatNode, printGraph } from '../../src/ir/print.ts';
import { f32, tensor } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { graph } from '../../src/api/builder.ts';
import { Linear } from '../../src/api/nn/layers.ts';

const t = tensorType;

/** bias, x, w; matmul and gemm; reshape, transpose, softmax, split in two, a constant and a mul. */
function buildSmall(): Graph {
  const b = new IRBuilder('small');
  const bias = b.input('bias', t('f32', [4]));
  const x = b.input('x', t('f32', [2, 3]));
  const w = b.weight('w', t('f32', [4, 3]), f32([4, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
  b.node('matmul', { transA: false, transB: true }, [x.id, w.id]);
  const [y] = b.node('gemm', { transA: false, transB: true, alpha: 1, beta: 1 }, [x.id, w.id, bias.id], 'fc');
  const [r] = b.node('reshape', { shape: [4, 2] }, [y!.id]);
  const [tr] = b.node('transpose', { perm: [1, 0] }, [r!.id]);
  const [s] = b.node('softmax', { axis: -1 }, [tr!.id]);
  const [head, tail] = b.node('split', { axis: 1, sizes: [1, 3] }, [s!.id]);
  const [two] = b.node('constant', { value: tensor('f32', [], [2]) }, []);
  const [scaled] = b.node('mul', {}, [tail!.id, two!.id]);
  b.output('head', head!.id);
  b.output('scaled', scaled!.id);
  return b.finish();
}

describe('printGraph', () => {
  it('prints inputs, weights, nodes and outputs in canonical form', () => {
    expect(printGraph(buildSmall())).toMatchInlineSnapshot(`
      "graph "small" {
        input %0: f32[4] "bias"
        input %1: f32[2,3] "x"
        weight %2: f32[4,3] "w"
        %3: f32[2,4] = matmul %1 %2 {transA: false, transB: true}
        %4: f32[2,4] = gemm %1 %2 %0 {alpha: 1, beta: 1, transA: false, transB: true}  # "fc"
        %5: f32[4,2] = reshape %4 {shape: [4,2]}
        %6: f32[2,4] = transpose %5 {perm: [1,0]}
        %7: f32[2,4] = softmax %6 {axis: -1}
        %8: f32[2,1], %9: f32[2,3] = split %7 {axis: 1, sizes: [1,3]}
        %10: f32[] = constant {value: f32[](2)}
        %11: f32[2,3] = mul %9 %10
        output "head" = %8
        output "scaled" = %11
      }
      "
    `);
  });

  it('writes a node as `%out: type = op %in... {attrs}`', () => {
    const g = buildSmall();
    expect(formatNode(g.nodes[0]!)).toBe('%3: f32[2,4] = matmul %1 %2 {transA: false, transB: true}');
    expect(formatNode(g.nodes[5]!)).toBe('%8: f32[2,1], %9: f32[2,3] = split %7 {axis: 1, sizes: [1,3]}');
  });

  it('prints constants inline when small and as a digest when large', () => {
    const b = new IRBuilder('consts');
    b.node('constant', { value: f32([2], [0.5, -1]) }, []);
    b.node('constant', { value: f32([3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]) }, []);
    const [a, big] = b.finish().nodes;
    expect(formatNode(a!)).toBe('%0: f32[2] = constant {value: f32[2](0.5, -1)}');
    expect(formatNode(big!)).toMatch(/^%1: f32\[3,3\] = constant \{value: f32\[3,3\]\(#[0-9a-f]{8}\)\}$/);
  });

  it('marks weights without data as unbound', () => {
    const b = new IRBuilder('unbound');
    const w = b.weight('w', t('f32', [2]));
    b.output('w', w.id);
    expect(printGraph(b.finish())).toContain('  weight %0: f32[2] "w" (unbound)\n');
  });
});

describe('hostile names', () => {
  const hostile = ['q"uote', 'new\nline', 'back`tick', 'tmpl${x}', 'end*/comment'];

  function hostileGraph(): Graph {
    const b = new IRBuilder('g"\n`${}*/');
    const ins = hostile.map((n) => b.input(`in ${n}`, t('f32', [2])));
    const w = b.weight(`w ${hostile[1]}`, t('f32', [2]));
    hostile.forEach((n, i) => {
      const [y] = b.node('add', {}, [ins[i]!.id, w.id], `label ${n}`);
      b.output(`out ${n}`, y!.id);
    });
    return b.finish();
  }

  it('keeps one line per entity, every name JSON-quoted', () => {
    const g = hostileGraph();
    const text = printGraph(g);
    const lines = text.trimEnd().split('\n');
    const entities = g.inputs.length + g.weights.length + g.nodes.length + g.outputs.length;
    expect(lines).toHaveLength(entities + 2);
    expect(lines[0]).toBe(`graph ${JSON.stringify(g.name)} {`);
    for (const n of hostile) {
      expect(text).toContain(JSON.stringify(`in ${n}`));
      expect(text).toContain(JSON.stringify(`label ${n}`));
      expect(text).toContain(JSON.stringify(`out ${n}`));
    }
    expect(lines[6]).toBe(`  weight %5: f32[2] ${JSON.stringify('w new\nline')} (unbound)`);
    expect(lines.at(-2)).toBe(`  output ${JSON.stringify('out end*/comment')} = %10`);
  });

  it('never emits a raw newline inside a name', () => {
    const text = printGraph(hostileGraph());
    for (const line of text.trimEnd().split('\n')) {
      expect(line === '}' || line.startsWith('graph ') || line.startsWith('  ')).toBe(true);
    }
    expect(text).not.toContain('new\nline');
  });
});

describe('determinism', () => {
  it('prints the same graph to the same text twice', () => {
    const g = buildSmall();
    expect(printGraph(g)).toBe(printGraph(g));
  });

  it('prints two builds of the same graph identically', () => {
    expect(printGraph(buildSmall())).toBe(printGraph(buildSmall()));
    const api = () => graph('lin', (g) => new Linear(3, 2).forward(g.input('x', [4, 3])), { seed: 7 });
    const [a, b] = [printGraph(api()), printGraph(api())];
    expect(a).toBe(b);
    expect(a).toContain('gemm %0 %1 %2 {alpha: 1, beta: 1, transA: false, transB: true}');
  });

  it('sorts attribute keys regardless of insertion order', () => {
    const b = new IRBuilder('order');
    const x = b.input('x', t('f32', [2, 2]));
    b.node('matmul', { transB: false, transA: true } as { transA: boolean; transB: boolean }, [x.id, x.id]);
    expect(formatNode(b.finish().nodes[0]!)).toBe('%1: f32[2,2] = matmul %0 %0 {transA: true, transB: false}');
  });
});
