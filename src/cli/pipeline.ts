// Loading a model and running the pass pipeline of the requested level, for every verb.
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import type { Graph } from '../ir/graph.ts';
import { loadModel } from './model.ts';

/** The model's graph after the pipeline of optimisation level `level`. */
export async function loadOptimized(model: string, level: 0 | 1 | 2): Promise<Graph> {
  const g = await loadModel(model);
  return runPipeline(g, PIPELINES[level]).graph;
}
