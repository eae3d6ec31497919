// The example models (examples/*.ts except the demo script), for tests that run over all of them.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Graph } from '../src/ir/graph.ts';

const DIR = fileURLToPath(new URL('../examples/', import.meta.url));

/** Example names without `.ts`, sorted; demo.ts is a script, not a model. */
export const EXAMPLE_NAMES: readonly string[] = readdirSync(DIR)
  .filter((f) => f.endsWith('.ts') && f !== 'demo.ts')
  .map((f) => f.slice(0, -3))
  .sort();

interface ExampleModule {
  default: () => Graph;
  /** The PyTorch fixture the example reproduces, if any. */
  FIXTURE?: string;
}

async function load(name: string): Promise<ExampleModule> {
  return (await import(`../examples/${name}.ts`)) as ExampleModule;
}

/** Builds the graph of `examples/NAME.ts` through its default export. */
export async function buildExample(name: string): Promise<Graph> {
  return (await load(name)).default();
}

/** Which example reproduces each PyTorch fixture (from each example's FIXTURE export). */
export async function fixtureExamples(): Promise<Record<string, string>> {
  const map: Record<string, string> = {};
  for (const name of EXAMPLE_NAMES) {
    const fx = (await load(name)).FIXTURE;
    if (fx !== undefined) map[fx] = name;
  }
  return map;
}

/** Where the PyTorch fixtures live. */
export const FIXTURES_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** One fixture's entry in test/fixtures/manifest.json (the fields the tests read). */
export interface FixtureEntry {
  readonly name: string;
  readonly weights_file: string;
  readonly io_file: string;
  /** The state_dict entries of the weights file. */
  readonly weights: readonly { readonly name: string }[];
  /** The inputs of the io file, by forward() argument name and io-file key. */
  readonly inputs: readonly { readonly name: string; readonly key: string }[];
  readonly outputs: readonly { readonly name: string; readonly key: string }[];
}

/** The fixtures of test/fixtures/manifest.json. */
export function fixtureManifest(): readonly FixtureEntry[] {
  return (JSON.parse(readFileSync(`${FIXTURES_DIR}manifest.json`, 'utf8')) as { fixtures: FixtureEntry[] }).fixtures;
}
