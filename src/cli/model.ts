// Loading MODEL arguments: an .onnx file, or a module (examples/ name or any path) whose default
// export is a graph or a function returning one.
import { existsSync, readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { ModelLoadError, UsageError, isOpgraphError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { verifyGraph } from '../ir/verify.ts';
import { type OnnxImportOptions, loadOnnx } from '../io/onnx/import.ts';
import type { TrainingExample } from '../train/example.ts';
import type { DecoderModel } from '../api/decoding.ts';
import { loadOnnxDecoder } from '../decode/onnx/model.ts';
import { checkGraphLimits } from '../io/limits.ts';
import { ensureTsLoader } from './ts-loader.ts';

const EXAMPLES = resolve(fileURLToPath(import.meta.url), '../../../examples');

/** Where MODEL lives: the path itself, or `examples/MODEL.ts` for a bare example name. */
export function resolveModelPath(model: string): string {
  const direct = resolve(model);
  if (existsSync(direct)) return direct;
  const bare = !/[\\/]/.test(model) && !/\.(onnx|[cm]?[jt]s)$/i.test(model);
  const example = resolve(EXAMPLES, `${model}.ts`);
  if (bare && existsSync(example)) return example;
  const guess = closestExample(basename(model).replace(/\.(onnx|[cm]?[jt]s)$/i, ''));
  const hint = guess ? ` (did you mean the example ${JSON.stringify(guess)}?)` : '';
  if (bare) throw new ModelLoadError(`model ${JSON.stringify(model)} not found: no such file, and no example of that name in examples/${hint}`);
  throw new ModelLoadError(`${model}: no such file${hint}`);
}

/** The example whose name is nearest `name` by edit distance, when it is near enough to be a typo. */
function closestExample(name: string): string | undefined {
  const names = existsSync(EXAMPLES) ? readdirSync(EXAMPLES).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)) : [];
  let best: { name: string; d: number } | undefined;
  for (const n of names) {
    const d = editDistance(name.toLowerCase(), n.toLowerCase());
    if (!best || d < best.d) best = { name: n, d };
  }
  return best && best.d <= Math.max(1, Math.ceil(name.length / 3)) ? best.name : undefined;
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours ("mah" -> "mha") as 1. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function looksLikeGraph(v: unknown): v is Graph {
  const g = v as Graph;
  return !!g && typeof g === 'object' && Array.isArray(g.nodes) && Array.isArray(g.inputs) && Array.isArray(g.outputs);
}

/** Imports MODEL's module (a ModelLoadError when it cannot be loaded). */
async function importModel(model: string): Promise<Record<string, unknown>> {
  const path = resolveModelPath(model);
  await ensureTsLoader(path);
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

/**
 * Reads MODEL (an .onnx file, or a module) and returns its verified graph, within the default
 * limits. `sizes` (shapes, dims, constants, runShapes) apply to .onnx files only.
 */
export async function loadModel(model: string, sizes: OnnxImportOptions = {}): Promise<Graph> {
  if (model.toLowerCase().endsWith('.onnx')) return loadOnnx(resolveModelPath(model), sizes);
  const flag = (['shapes', 'dims', 'constants'] as const).find((k) => sizes[k] !== undefined);
  if (flag) throw new UsageError(`--${{ shapes: 'shape', dims: 'dim', constants: 'const' }[flag]} applies to .onnx models only; ${model} is a module, whose shapes are its own`);
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

/**
 * Imports a decoder model: an .onnx export with past/present keys and values (its KV cache
 * `maxContext` long), or MODEL's `decoder` export (name, maxContext, forward through ctx.attend).
 */
export async function loadDecoder(model: string, onnx: { maxContext: number }): Promise<DecoderModel> {
  if (model.toLowerCase().endsWith('.onnx')) return loadOnnxDecoder(resolveModelPath(model), onnx);
  const decoder = (await importModel(model)).decoder as DecoderModel | undefined;
  if (!decoder || typeof decoder !== 'object' || typeof decoder.forward !== 'function' || !Number.isInteger(decoder.maxContext)) {
    throw new ModelLoadError(`${model}: no \`decoder\` export (name, maxContext, forward), so it cannot generate`);
  }
  return decoder;
}
