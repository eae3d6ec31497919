// PyTorch's nn.TransformerEncoderLayer exported seq-first at opsets 13 and 14 (decomposed layer
// norms, MatMul(x[seq,batch,d], W) projections; scripts/fixtures/export_decomposed_ln.py): at -O2 it
// compiles to the kernels of the API-built layer, and matches PyTorch on the interpreter and TS.
import { describe, expect, it } from 'vitest';
import { PIPELINES, runPipeline } from '../../../passes/pipeline.ts';
import { compile } from '../../../src/compile.ts';
import { loadOnnx } from '../../../src/io/onnx/import.ts';
import { readSafetensors } from '../../../src/io/safetensors-file.ts';
import { compareTensors } from '../../../src/runtime/compare.ts';
import { interpret } from '../../../src/runtime/interpreter.ts';
import { encoderLayer } from '../../../examples/transformer-encoder-layer.ts';
import { FIXTURES_DIR } from '../../example-graphs.ts';

const DIR = `${FIXTURES_DIR}decomposed-ln/`;

describe.each([13, 14])('TransformerEncoderLayer exported at opset %i', (opset) => {
  it('compiles at -O2 to the API-built layer\'s kernels: no matmul, no decomposed norm', async () => {
    const g = await loadOnnx(`${DIR}encoder_layer_opset${opset}.onnx`);
    expect(g.nodes.filter((n) => n.op === 'reduceMean')).toHaveLength(4);
    const ops = runPipeline(g, PIPELINES[2], { verify: true }).graph.nodes.map((n) => n.op).filter((op) => op !== 'slice');
    const api = runPipeline(encoderLayer({ seq: 10, batch: 2, dModel: 64, heads: 4, ff: 128 }), PIPELINES[2], { verify: true }).graph;
    expect(ops).toEqual(api.nodes.map((n) => n.op));
    expect(ops).toEqual(['gemm', 'attention', 'gemm', 'layerNorm', 'gemm', 'gemm', 'layerNorm']);
  });

  it('matches PyTorch on the interpreter at -O0 and -O2, and on TS at -O2', async () => {
    const g = await loadOnnx(`${DIR}encoder_layer_opset${opset}.onnx`);
    const io = await readSafetensors(`${DIR}encoder_layer.io.safetensors`);
    const inputs = new Map([['src', io.get('src')!]]);
    const o2 = runPipeline(g, PIPELINES[2], { verify: true }).graph;
    const ts = await compile(g, { target: 'ts', level: 2 });
    for (const [what, out] of [['interp -O0', interpret(g, inputs)], ['interp -O2', interpret(o2, inputs)], ['ts -O2', ts.run(inputs)]] as const) {
      const cmp = compareTensors(out.output!, io.get('output')!, 1e-4, 1e-5);
      expect(cmp.ok, `${what}: ${cmp.reason}`).toBe(true);
    }
  });
});
