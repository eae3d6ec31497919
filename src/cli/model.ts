// Loading MODEL arguments: an .onnx file, or a module (examples/ name or any path) whose default
// export is a graph or a function returning one.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { ModelLoadError, isOpgraphError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { verifyGraph } from '../ir/verify.ts';
import { loadOnnx } from '../io/onnx/import.ts';
import type { TrainingExample } from '../train/example.ts';
import { checkGraphLimits } from '../io/limits.ts';

const EXAMPLES = resolve(fileURLToPath(import.meta.url), '../../../examples');

/** Where MODEL lives: the path itself, or `examples/MODEL.ts` for a bare example name. */
export function resolveModelPath(model: string): string {
  const direct = resolve(model);
  if (existsSync(direct)) return direct;
  const example = resolve(EXAMPLES, `${model}.ts`);
  if (!model.includes('/') && existsSync(example)) return example;
  throw new ModelLoadError(`model ${JSON.stringify(model)} not found (no such file, and no examples/${model}.ts)`);
}

function looksLikeGraph(v: unknown): v is Graph {
  const g = v as Graph;
  return !!g && typeof g === 'object' && Array.isArray(g.nodes) && Array.isArray(g.inputs) && Array.isArray(g.outputs);
}

/** Imports MODEL's module (a ModelLoadError when it cannot be loaded). */
async function importModel(model: string): Promise<Record<string, unknown>> {
  const path = resolveModelPath(model);
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (e) {
    if (isOpgraphError(e)) throw e; // already names the user's line
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ModelLoadError(`${model}: cannot load module: ${msg}`);
  }
}

/** The verified graph of a module's default export (a graph or a function returning one). */
async function graphOf(model: string, mod: Record<string, unknown>): Promise<Graph> {
  let g = mod.default;
  if (typeof g === 'function') {
    try {
      g = await (g as () => unknown)();
    } catch (e) {
      if (isOpgraphError(e)) throw e; // already names the user's line
      const msg = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0]}` : String(e);
      throw new ModelLoadError(`${model}: its default export threw ${msg}`);
    }
  }
  if (!looksLikeGraph(g)) throw new ModelLoadError(`${model}: default export is not a graph or a function returning one`);
  checkGraphLimits(g);
  verifyGraph(g);
  return g;
}

/** Reads MODEL (an .onnx file, or a module) and returns its verified graph, within the default limits. */
export async function loadModel(model: string): Promise<Graph> {
  if (model.toLowerCase().endsWith('.onnx')) return loadOnnx(resolveModelPath(model));
  return graphOf(model, await importModel(model));
}

/** Imports a training example: its graph and its TRAINING export (loss, optimizer, batch, predict). */
export async function loadTrainingExample(model: string): Promise<{ graph: Graph; training: TrainingExample }> {
  const mod = await importModel(model);
  const training = mod.TRAINING as TrainingExample | undefined;
  if (!training || typeof training !== 'object' || typeof training.batch !== 'function' || typeof training.loss !== 'string') {
    throw new ModelLoadError(`${model}: no TRAINING export (loss, optimizer, batch, predict, epochs), so it cannot be trained`);
  }
  return { graph: await graphOf(model, mod), training };
}
