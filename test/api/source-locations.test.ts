// sourceLocations: the user's line of every node a graph's API calls made, found past the layers'
// own frames, and nothing for graphs the API did not build.
import { describe, expect, it } from 'vitest';
import { graph, nn, sourceLocations } from '../../src/api/index.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';

const HERE = 'test/api/source-locations.test.ts';

describe('sourceLocations', () => {
  it('names this file and the line of each call, through nested layers', () => {
    const lin = new nn.Linear(4, 4);
    const g = graph('t', (b) => {
      const x = b.input('x', [2, 4]);
      const y = x.relu();
      return lin.forward(y).add(x);
    });
    const at = sourceLocations(g)!;
    const line = (op: string) => {
      const n = g.nodes.find((m) => m.op === op)!;
      const m = new RegExp(`^${HERE.replace(/[./]/g, '\\$&')}:(\\d+):\\d+$`).exec(at.get(n.outputs[0]!.id)!);
      expect(m, `${op}: ${at.get(n.outputs[0]!.id)}`).not.toBeNull();
      return Number(m![1]);
    };
    expect(line('gemm')).toBe(line('add'));
    expect(line('relu')).toBe(line('gemm') - 1);
    expect(at.size).toBe(g.nodes.length);
  });

  it('is undefined for a graph the API did not build, including the graphs passes return', () => {
    const g = graph('t', (b) => b.input('x', [2]).relu().relu());
    const copy = { ...g };
    expect(sourceLocations(copy)).toBeUndefined();
    const after = runPipeline(g, PIPELINES[2]).graph;
    if (after !== g) expect(sourceLocations(after)).toBeUndefined();
  });
});
