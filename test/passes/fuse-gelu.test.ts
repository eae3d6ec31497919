// fuse-gelu: the erf and tanh GELU formulas, in the spellings exporters and hand-written models use,
// become one gelu; near misses (another constant, a second variable, the wrong special function)
// are left alone; imported GPT-2 and decoder blocks reach the API's kernel count; shared properties.
import { describe, expect, it } from 'vitest';
import { fuseGelu } from '../../passes/fuse-gelu.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { IRBuilder } from '../../src/ir/builder.ts';
import type { Graph, ValueId } from '../../src/ir/graph.ts';
import { f32 } from '../../src/ir/tensor.ts';
import { tensorType } from '../../src/ir/types.ts';
import { loadOnnx } from '../../src/io/onnx/import.ts';
import { kernelCalls, planMemory } from '../../src/codegen/plan.ts';
import { Rng, randomInputs } from '../codegen/helpers.ts';
import { FIXTURES_DIR } from '../example-graphs.ts';
import { checkPass, describeProperties, runChecked } from './harness.ts';

type Op = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'erf' | 'tanh';

/** A graph computing `spell(op, x, c)` on x [2, 3, 8] (plus a second input y, for the two-variable miss). */
function formula(spell: (op: (k: Op, ...v: ValueId[]) => ValueId, x: ValueId, c: (v: number) => ValueId, y: ValueId) => ValueId): Graph {
  const b = new IRBuilder('gelu_formula');
  const x = b.input('x', tensorType('f32', [2, 3, 8])).id;
  const y = b.input('y', tensorType('f32', [2, 3, 8])).id;
  const c = (v: number): ValueId => b.node('constant', { value: f32([], [v]) }, [])[0]!.id;
  const op = (k: Op, ...v: ValueId[]): ValueId => b.node(k, {} as never, v)[0]!.id;
  b.output('out', spell(op, x, c, y));
  b.output('y', y);
  return b.finish();
}

const SQRT2 = Math.SQRT2;
const K = Math.sqrt(2 / Math.PI);

const SPELLINGS: Record<string, { approximate: 'none' | 'tanh'; graph: Graph }> = {
  // torch.onnx.export of nn.GELU(): Div, Erf, Add, Mul, Mul.
  'erf: x * (erf(x / sqrt 2) + 1) * 0.5': { approximate: 'none', graph: formula((o, x, c) => o('mul', o('mul', x, o('add', o('erf', o('div', x, c(SQRT2))), c(1))), c(0.5))) },
  'erf: 0.5 * x * (1 + erf(x * 0.7071))': { approximate: 'none', graph: formula((o, x, c) => o('mul', o('mul', c(0.5), x), o('add', c(1), o('erf', o('mul', x, c(Math.SQRT1_2)))))) },
  // GPT-2's gelu_new, the cube as pow (its reference code) and as products.
  'tanh: 0.5 x (1 + tanh(k (x + 0.044715 pow(x, 3))))': { approximate: 'tanh', graph: formula((o, x, c) => o('mul', o('mul', c(0.5), x), o('add', c(1), o('tanh', o('mul', c(K), o('add', x, o('mul', c(0.044715), o('pow', x, c(3))))))))) },
  'tanh: x * 0.5 * (tanh((x + x*x*x * 0.044715) * k) + 1)': { approximate: 'tanh', graph: formula((o, x, c) => o('mul', o('mul', x, c(0.5)), o('add', o('tanh', o('mul', o('add', x, o('mul', o('mul', o('mul', x, x), x), c(0.044715))), c(K))), c(1)))) },
};

const ops = (g: Graph): string[] => g.nodes.filter((n) => n.op !== 'constant').map((n) => n.op);

describe('fuse-gelu', () => {
  it.each(Object.keys(SPELLINGS))('recognises %s', (name) => {
    const { approximate, graph } = SPELLINGS[name]!;
    const { out } = checkPass(fuseGelu, graph, randomInputs(graph, new Rng(0x6e)));
    expect(ops(out)).toEqual(['gelu']);
    const gelu = out.nodes.find((n) => n.op === 'gelu')!;
    expect(gelu.attrs).toEqual({ approximate });
    expect(gelu.inputs).toEqual([out.inputs[0]!.id]);
  });

  describe('does not fire', () => {
    const left = (g: Graph): void => {
      const { out } = runChecked(fuseGelu, g);
      expect(ops(out)).not.toContain('gelu');
      expect(out).toBe(g);
    };
    it('on the tanh formula with 0.045 for 0.044715', () =>
      left(formula((o, x, c) => o('mul', o('mul', c(0.5), x), o('add', c(1), o('tanh', o('mul', c(K), o('add', x, o('mul', c(0.045), o('pow', x, c(3)))))))))));
    it('on the erf formula with tanh in place of erf', () =>
      left(formula((o, x, c) => o('mul', o('mul', x, o('add', o('tanh', o('div', x, c(SQRT2))), c(1))), c(0.5)))));
    it('on a second variable (x * Phi(y))', () =>
      left(formula((o, x, c, y) => o('mul', o('mul', x, o('add', o('erf', o('div', y, c(SQRT2))), c(1))), c(0.5)))));
    it('on a formula without erf or tanh', () => left(formula((o, x, c) => o('mul', o('mul', x, c(0.5)), o('add', x, c(1))))));
    it('on x * 0.5 * (1 + erf(x / sqrt 2)) where x is an integer tensor', () => {
      const b = new IRBuilder('int_gelu');
      const x = b.input('x', tensorType('i32', [4])).id;
      const xf = b.node('cast', { to: 'f32' }, [x])[0]!.id;
      const c = (v: number): ValueId => b.node('constant', { value: f32([], [v]) }, [])[0]!.id;
      const erf = b.node('erf', {}, [b.node('div', {}, [xf, c(SQRT2)])[0]!.id])[0]!.id;
      b.output('out', b.node('mul', {}, [b.node('mul', {}, [xf, b.node('add', {}, [erf, c(1)])[0]!.id])[0]!.id, c(0.5)])[0]!.id);
      const { out } = runChecked(fuseGelu, b.finish());
      // x is the cast (f32), so the gelu reads the cast: the integer input itself never is x.
      expect(out.nodes.find((n) => n.op === 'gelu')?.inputs).toEqual([xf]);
    });
  });

  describe('imported models reach the API-built kernel count', () => {
    const o2 = async (file: string, dims: Record<string, number>) => {
      const g = runPipeline(await loadOnnx(`${FIXTURES_DIR}${file}`, { dims }), PIPELINES[2], { verify: true }).graph;
      return { g, kernels: kernelCalls(g, planMemory(g)) };
    };
    it('a GPT-2 block (tril buffer + masked_fill, gelu_new) is 7 kernels: 2 layerNorms, 4 gemms, 1 causal attention', async () => {
      const { g, kernels } = await o2('gpt2_block.onnx', { batch: 2, seq: 6 });
      expect(kernels).toBe(7);
      expect(ops(g).sort()).toEqual(['attention', 'gemm', 'gemm', 'gemm', 'gemm', 'layerNorm', 'layerNorm']);
      expect(g.nodes.find((n) => n.op === 'attention')!.attrs).toMatchObject({ causal: true });
      const epilogues = g.nodes.flatMap((n) => (n.op === 'gemm' && n.attrs.epilogue ? n.attrs.epilogue.steps.map((s) => s.op) : []));
      expect(epilogues).toContain('gelu');
    });
    it('a TransformerDecoderLayer with exact GELU has its gelu in a gemm epilogue', async () => {
      const { g } = await o2('torch_decoder_layer.onnx', { batch: 2, T: 5, S: 6 });
      expect(g.nodes.some((n) => n.op === 'fused' && n.attrs.program.steps.some((s) => s.op === 'erf'))).toBe(false);
      expect(g.nodes.some((n) => n.op === 'gemm' && n.attrs.epilogue?.steps.some((s) => s.op === 'gelu'))).toBe(true);
    });
  });
});

describeProperties(fuseGelu);
