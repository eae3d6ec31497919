// What a pass is: a named, pure Graph -> Graph function. The pipeline runs passes in order.
import type { Graph } from '../src/ir/graph.ts';
import type { RewriteWork } from '../src/rewrite/work.ts';

/** Context shared by the passes of one pipeline run. */
export interface PassContext {
  /** Records one line of what a pass did (a rule firing, a node annotated). */
  note(message: string): void;
  /** When given, the rewrite editor and driver count their work here (the scaling tests read it). */
  readonly work?: RewriteWork;
}

/**
 * A pass. `run` must not mutate its input; it returns a new graph, or the same object when
 * nothing changed. Each pass file's header states its pre- and post-conditions.
 */
export interface Pass {
  readonly name: string;
  /** One line: what the pass is for. */
  readonly summary: string;
  run(graph: Graph, ctx: PassContext): Graph;
}

/** A context that discards notes. */
export const SILENT: PassContext = { note() {} };
