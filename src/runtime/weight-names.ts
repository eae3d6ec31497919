// Matching the names of given weights against a graph's, as PyTorch's load_state_dict(strict=True)
// does: keys the graph does not have (each with the closest expected name) and weights not given.

/** How the names of given weights relate to a graph's weights. */
export interface WeightMatch {
  /** Given names the graph has no weight for, in the order given. */
  readonly unknown: readonly string[];
  /** Graph weights not given, in graph order. */
  readonly missing: readonly string[];
}

/** Names listed in one message at most; the rest are counted. */
const LISTED = 10;
/** Names longer than this get no suggestion (the distance is quadratic in the length). */
const MAX_SUGGEST_LENGTH = 256;

/** The unknown and missing names of `given` against the graph's `expected` weight names. */
export function matchWeightNames(expected: readonly string[], given: readonly string[]): WeightMatch {
  const want = new Set(expected);
  const have = new Set(given);
  return { unknown: given.filter((n) => !want.has(n)), missing: expected.filter((n) => !have.has(n)) };
}

/** Levenshtein distance of `a` and `b`, or `limit` + 1 as soon as it must exceed `limit`. */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      best = Math.min(best, row[j]!);
    }
    if (best > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/** The candidate closest to `name` by edit distance (the first of equals), or undefined when there is none. */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  if (name.length > MAX_SUGGEST_LENGTH) return undefined;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c.length > MAX_SUGGEST_LENGTH) continue;
    const d = editDistance(name, c, bestDistance - 1);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** Up to LISTED items, each as `show` writes it, then "and N more". */
export function listed(items: readonly string[], show: (item: string) => string = (n) => JSON.stringify(n)): string {
  const shown = items.slice(0, LISTED).map(show).join(', ');
  return items.length > LISTED ? `${shown} and ${items.length - LISTED} more` : shown;
}

/**
 * One line naming every problem of `m`: each unknown name with the closest expected one
 * ("did you mean"), then the missing names.
 */
export function describeMismatch(m: WeightMatch, expected: readonly string[]): string {
  const suggest = (n: string): string => {
    const near = closestName(n, expected);
    return near === undefined ? JSON.stringify(n) : `${JSON.stringify(n)} (did you mean ${JSON.stringify(near)}?)`;
  };
  const parts: string[] = [];
  if (m.unknown.length > 0) parts.push(`unknown ${listed(m.unknown, suggest)}`);
  if (m.missing.length > 0) parts.push(`missing ${listed(m.missing)}`);
  return parts.join('; ');
}
