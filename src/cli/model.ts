// Loading MODEL arguments: an .onnx file, or a module (examples/ name or any path) whose default
// export is a graph or a function returning one.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { ModelLoadError, isOpgraphError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { verifyGraph } from '../ir/verify.ts';
import { loadOnnx } from '../io/onnx/import.ts';

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

/** Imports MODEL (an .onnx file or a module) and returns its verified graph. */
export async function loadModel(model: string): Promise<Graph> {
  const path = resolveModelPath(model);
  if (path.toLowerCase().endsWith('.onnx')) return loadOnnx(path);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (e) {
    if (isOpgraphError(e)) throw e; // already names the user's line
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new ModelLoadError(`${model}: cannot load module: ${msg}`);
  }
  let g = mod.default;
  try {
    if (typeof g === 'function') g = await (g as () => unknown)();
  } catch (e) {
    if (isOpgraphError(e)) throw e; // already names the user's line
    throw e;
  }
  if (!looksLikeGraph(g)) throw new ModelLoadError(`${model}: default export is not a graph or a function returning one`);
  verifyGraph(g);
  return g;
}
