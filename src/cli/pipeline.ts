// The pass pipeline as every verb runs it: -O levels or an explicit --passes list, with
// --print-after and --dot-after as loops over the trace.
import { join } from 'node:path';
import { ALL_PASSES, PIPELINES, type TraceEntry, runPipeline } from '../../passes/pipeline.ts';
import type { Pass } from '../../passes/pass.ts';
import { UsageError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { printGraph } from '../ir/print.ts';
import { writeFileAtomic } from '../io/atomic.ts';
import { toDot } from '../viz/dot.ts';
import { formatFromPath, renderDot } from '../viz/render.ts';
import { type OptionSpec, type Parsed, countOption, optLevel, optional } from './args.ts';
import type { CommandIO } from './command.ts';
import { loadModel } from './model.ts';
import { SIZE_OPTIONS, SIZE_USAGE, sizeOptions } from './sizes.ts';
import { MEMORY_OPTIONS, MEMORY_USAGE, maxMemoryOption } from './memory.ts';
import { checkGraphMemory } from '../codegen/budget.ts';
import { resolveMaxMemory } from '../io/memory.ts';

/** Options every graph-reading verb accepts. */
export const PIPELINE_OPTIONS: OptionSpec = {
  opt: { type: 'string', short: 'O' },
  passes: { type: 'string' },
  'print-after': { type: 'string' },
  'dot-after': { type: 'string' },
  'dot-dir': { type: 'string' },
  ...SIZE_OPTIONS,
  ...MEMORY_OPTIONS,
};

/** Usage lines for the pipeline options. */
export const PIPELINE_USAGE = `Pipeline options:
  -O0|-O1|-O2          pass pipeline: shape inference only, cleanup, everything
                       (-O0 also emits plain, unblocked kernels: readable for debugging)
  --passes a,b,c       run exactly these passes instead (${ALL_PASSES.map((p) => p.name).join(', ')})
  --print-after PASS   print the IR after PASS (or after every pass: all)
  --dot-after PASS     draw the graph after PASS (or all) as SVG files in --dot-dir (default .)
                       (without -O or --passes, either one runs the full -O2 pipeline)

${SIZE_USAGE}

${MEMORY_USAGE}`;

/**
 * The passes the options ask for. Without -O or --passes, --print-after and --dot-after name passes
 * to watch, so they run the pipeline that has them all (-O2) instead of the verb's default.
 */
export function selectPasses(verb: string, p: Parsed, fallback: 0 | 1 | 2): readonly Pass[] {
  const list = optional(p, 'passes');
  const watching = optional(p, 'print-after') !== undefined || optional(p, 'dot-after') !== undefined;
  if (list === undefined) return PIPELINES[optLevel(verb, p, watching ? 2 : fallback)];
  return list.split(',').map((name) => {
    const pass = ALL_PASSES.find((q) => q.name === name.trim());
    if (!pass) throw new UsageError(`${verb}: unknown pass ${JSON.stringify(name)} (passes: ${ALL_PASSES.map((q) => q.name).join(', ')})`);
    return pass;
  });
}

/** The level the backend generates kernels for: -O's, or 2 with an explicit --passes list. */
export function kernelLevel(verb: string, p: Parsed): 0 | 1 | 2 {
  return optional(p, 'passes') === undefined ? optLevel(verb, p, 2) : 2;
}

function wanted(which: string | undefined, entry: TraceEntry): boolean {
  return which !== undefined && (which === 'all' || which === entry.pass);
}

/**
 * Loads MODEL (with the size options; `runShapes` are the shapes of the tensors a run binds),
 * runs the selected passes, and writes the requested snapshots.
 */
export async function loadOptimized(verb: string, model: string, p: Parsed, fallback: 0 | 1 | 2, io: CommandIO, runShapes?: Readonly<Record<string, readonly number[]>>): Promise<{ graph: Graph; trace: TraceEntry[]; loaded: Graph; maxMemoryBytes: number }> {
  const passes = selectPasses(verb, p, fallback);
  const printAfter = optional(p, 'print-after');
  const dotAfter = optional(p, 'dot-after');
  for (const which of [printAfter, dotAfter]) {
    if (which !== undefined && which !== 'all' && !passes.some((q) => q.name === which)) {
      throw new UsageError(`${verb}: pass ${JSON.stringify(which)} is not in this pipeline (${passes.map((q) => q.name).join(', ')})`);
    }
  }
  const maxMemoryBytes = resolveMaxMemory(maxMemoryOption(verb, p));
  const loaded = await loadModel(model, { ...sizeOptions(verb, p), ...(runShapes ? { runShapes } : {}), maxMemoryBytes });
  const result = runPipeline(loaded, passes);
  // The optimised graph's plan against the budget, before any verb allocates for it.
  checkGraphMemory(result.graph, maxMemoryBytes);
  for (const [k, entry] of result.trace.entries()) {
    if (wanted(printAfter, entry)) io.out(`// after ${entry.pass}\n${printGraph(entry.graph)}`);
    if (wanted(dotAfter, entry)) {
      const file = join(optional(p, 'dot-dir') ?? '.', `${String(k + 1).padStart(2, '0')}-${entry.pass}.svg`);
      formatFromPath(file);
      const depth = countOption(verb, p, 'depth'); // the verbs that draw (dot, view) take --depth
      await writeFileAtomic(file, await renderDot(toDot(entry.graph, { title: `${entry.graph.name} after ${entry.pass}`, ...(depth === undefined ? {} : { depth }) }), 'svg'));
      io.err(`wrote ${file}`);
    }
  }
  return { ...result, loaded, maxMemoryBytes };
}
