// The default pipelines, one explicit ordered list per optimisation level.
import { InternalCompilerError, internalError, isOpgraphError } from '../src/errors.ts';
import type { Graph } from '../src/ir/graph.ts';
import { verifyGraph } from '../src/ir/verify.ts';
import { constantFolding } from './constant-folding.ts';
import { commonSubexpressionElimination } from './cse.ts';
import { deadCodeElimination } from './dce.ts';
import { simplifyMovement } from './simplify-movement.ts';
import { fuseAttention } from './fuse-attention.ts';
import { eliminateHeadReshapes } from './eliminate-head-reshapes.ts';
import { mergeSiblings } from './merge-siblings.ts';
import { fuseElementwise, fuseEpilogues } from './fuse-elementwise.ts';
import { foldContractions } from './fold-contractions.ts';
import { fuseLayerNorm } from './fuse-layernorm.ts';
import { fuseGelu } from './fuse-gelu.ts';
import { foldAffine } from './fold-affine.ts';
import { foldPad } from './fold-pad.ts';
import type { Pass, PassContext } from './pass.ts';
import type { RewriteWork } from '../src/rewrite/work.ts';
import { shapeInference } from './shape-inference.ts';

/** Optimisation levels: -O0, -O1, -O2. */
export type OptLevel = 0 | 1 | 2;

/** The passes of each level, in order, each with its reason. */
export const PIPELINES: Readonly<Record<OptLevel, readonly Pass[]>> = {
  // -O0: only make every type explicit and checked.
  0: [shapeInference],
  // -O1: cleanup.
  1: [
    shapeInference, // every later pass reads exact types
    deadCodeElimination, // unused values must not look like extra readers to later passes
    constantFolding, // shapes are static: fold what only depends on constants
    foldPad, // zero padding in front of a conv is the conv's own pads
    foldAffine, // BatchNorm after a conv or gemm: its weights and bias, computed once at create
    commonSubexpressionElimination, // compute each value once (folded constants included)
    deadCodeElimination, // drop what no output needs
  ],
  // -O2: everything.
  2: [
    shapeInference, // every later pass reads exact types
    deadCodeElimination, // unused values must not look like extra readers to the fusions
    simplifyMovement, // canonical reshapes/transposes; transposes into matmul flags
    constantFolding, // fold what only depends on constants
    foldPad, // zero padding in front of a conv is the conv's own pads
    commonSubexpressionElimination, // shared values become visibly shared before fusion
    fuseLayerNorm, // opset < 17 exports spell layerNorm as seven ops: one kernel again
    fuseGelu, // GELU written as its erf or tanh formula: one gelu (an epilogue step)
    fuseAttention, // matmul-scale-softmax-matmul chains become one streaming kernel
    foldContractions, // x[s,b,k] @ W[k,n] is one gemm over s*b rows, bias in C (as the API's Linear)
    foldAffine, // BatchNorm after a conv or gemm: its weights and bias, computed once at create
    mergeSiblings, // one QKV projection instead of three
    eliminateHeadReshapes, // head split/merge become attention strides
    fuseEpilogues, // bias, scale, activation run in the matmul store
    fuseElementwise, // remaining elementwise chains run as one kernel each
    deadCodeElimination, // drop what no output needs
  ],
};

/** Every pass, for `--passes a,b,c` (looked up by name in this explicit list). */
export const ALL_PASSES: readonly Pass[] = [
  shapeInference,
  simplifyMovement,
  commonSubexpressionElimination,
  constantFolding,
  foldPad,
  fuseLayerNorm,
  fuseGelu,
  fuseAttention,
  foldContractions,
  foldAffine,
  mergeSiblings,
  eliminateHeadReshapes,
  fuseEpilogues,
  fuseElementwise,
  deadCodeElimination,
];

/** What one pass did in a pipeline run. */
export interface TraceEntry {
  readonly pass: string;
  readonly nodesBefore: number;
  readonly nodesAfter: number;
  readonly notes: readonly string[];
  readonly graph: Graph;
}

/**
 * Runs `passes` in order; with `verify`, checks the graph after every pass (tests do); with
 * `work`, the rewrite machinery counts its work there. A pass
 * that fails on its input for a reason other than a typed error about the model (a ShapeError
 * from shape-inference, an IndexError while folding) is a compiler bug: it surfaces as an
 * InternalCompilerError naming the pass, and the node and rule where the rewrite driver knows them.
 */
export function runPipeline(graph: Graph, passes: readonly Pass[], opts: { verify?: boolean; work?: RewriteWork } = {}): { graph: Graph; trace: TraceEntry[] } {
  const trace: TraceEntry[] = [];
  let g = graph;
  for (const p of passes) {
    const notes: string[] = [];
    const next = runPass(p, g, { note: (m) => notes.push(m), ...(opts.work ? { work: opts.work } : {}) });
    if (opts.verify) verifyGraph(next, p.name);
    trace.push({ pass: p.name, nodesBefore: g.nodes.length, nodesAfter: next.nodes.length, notes, graph: next });
    g = next;
  }
  return { graph: g, trace };
}

/** One pass, its failures located (see runPipeline). */
function runPass(p: Pass, g: Graph, ctx: PassContext): Graph {
  try {
    return p.run(g, ctx);
  } catch (e) {
    if (e instanceof InternalCompilerError || !isOpgraphError(e)) throw internalError(e, { pass: p.name });
    throw e;
  }
}
