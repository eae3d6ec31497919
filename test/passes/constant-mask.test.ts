// Regressions of issue 15, item 1: a constant attention mask at -O2 (the reproduction through the
// interpreter, the TS backend and the CLI), and the two ONNX suite cases it stopped.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { compile } from '../../src/compile.ts';
import { runOnnxCase } from '../../src/io/onnx/testcase.ts';
import { interpret } from '../../src/runtime/interpreter.ts';
import { ROOT, cli, lines } from '../cli/run-cli.ts';
import { Rng, expectAllClose, randomInputs } from '../codegen/helpers.ts';
import causalMask from './causal-mask-model.ts';
import { differ } from './harness.ts';

const SUITE = resolve(import.meta.dirname, '../../../shared/onnx-suite');

describe('a causal mask built with g.constant', () => {
  it('fuses into one attention node reading the constant at -O2, with the results of -O0', () => {
    const g = causalMask();
    const o2 = runPipeline(g, PIPELINES[2], { verify: true }).graph;
    expect(o2.nodes.map((n) => n.op)).toEqual(['constant', 'attention']);
    expect(o2.nodes[1]!.inputs[3]).toBe(o2.nodes[0]!.outputs[0]!.id);
    const o0 = runPipeline(g, PIPELINES[0], { verify: true }).graph;
    expect(differ(o0, o2, randomInputs(g, new Rng(15)))).toBeUndefined();
  });

  it('compiles at -O2 for the TS backend and matches the interpreter at -O0', async () => {
    const g = causalMask();
    const inputs = randomInputs(g, new Rng(16));
    const model = await compile(g, { target: 'ts', level: 2, verify: true });
    expectAllClose(model.run(inputs), interpret(g, inputs));
  });

  it('runs through `opgraph passes -v`, whose notes name the op (and label) of each rewritten node', async () => {
    const mini = await cli(['passes', `${ROOT}test/passes/causal-mask-model.ts`, '-v']);
    expect(mini.stderr).toBe('');
    expect(mini.code).toBe(0);
    expect(lines(mini.stdout).filter((l) => /^\S+: /.test(l))).toEqual([
      'simplify-movement: matmul-transposed-b: %5 matmul -> %11',
      'fuse-attention: attention-scaled-masked: %10 matmul -> %12',
    ]);
    const labelled = await cli(['passes', 'self-attention', '-v']);
    expect(lines(labelled.stdout)).toContain('cse: %4 gemm "linear" is %3');
  });
});

describe.each(['test_flexattention_relative_positional_expanded_ver26', 'test_flexattention_score_mod_expanded_ver26'])('ONNX suite case %s', (name) => {
  const dir = resolve(SUITE, name);
  it.each(['interp', 'ts'] as const)('passes on %s (ts compiles at -O2)', async (backend) => {
    if (!existsSync(dir)) throw new Error(`ONNX suite case not found at ${dir} (expected ../shared/onnx-suite beside the checkout)`);
    const r = await runOnnxCase(dir, backend);
    expect(`${r.status}: ${r.detail ?? ''}`).toBe('passed: ');
  });
});
