// The example models (examples/*.ts except the demo script), for tests that run over all of them.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Graph } from '../src/ir/graph.ts';

const DIR = fileURLToPath(new URL('../examples/', import.meta.url));

/** Example names without `.ts`, sorted; demo.ts is a script, not a model. */
export const EXAMPLE_NAMES: readonly string[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.ts') && f !== 'demo.ts')
  .map((f) => f.slice(0, -3))
  .sort();

/** Builds the graph of `examples/NAME.ts` through its default export. */
export async function buildExample(name: string): Promise<Graph> {
  const mod = (await import(`../examples/${name}.ts`)) as { default: () => Graph };
  return mod.default();
}
