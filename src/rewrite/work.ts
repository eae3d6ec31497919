// Counts of the work the rewrite machinery does, so tests can check how it grows with graph size
// without timing anything (test/passes/scaling.test.ts).

/** What the editor and the fixpoint driver did; every field only grows. */
export interface RewriteWork {
  /** Nodes the driver tried its rules on. */
  visits: number;
  /** Pattern nodes compared against graph nodes (every step of every match attempt). */
  matches: number;
  /** Nodes created: inserted by a rule, or copied because one of their inputs was redirected. */
  rebuilds: number;
  /** Nodes and uses walked by whole-list operations (snapshots, dead-node sweeps, use lists, renumbering). */
  scanned: number;
}

/** A counter starting at zero. */
export function newWork(): RewriteWork {
  return { visits: 0, matches: 0, rebuilds: 0, scanned: 0 };
}

/** All four counts added up: the work measure the scaling tests compare. */
export function totalWork(w: RewriteWork): number {
  return w.visits + w.matches + w.rebuilds + w.scanned;
}
