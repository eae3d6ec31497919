// The fuzz loop: each case picks a target (by weight), a seed file and one to three mutators from
// one seeded Rng, feeds the result to the target's loader, and classifies what happened: success,
// a typed opgraph error (counted by kind), a crash (anything else, a multi-line message, or an
// allocation far beyond the input), or a hang (over the time bound).
import { Rng } from '../../src/api/init.ts';
import { isOpgraphError } from '../../src/errors.ts';
import { type Mutator, below, pick } from './mutate.ts';

/** A loader under fuzz. Adding a file format is one more of these in TARGETS (targets.ts). */
export interface FuzzTarget {
  readonly name: string;
  /** Relative share of the cases. */
  readonly weight: number;
  /** Whether each case runs in a child process (slow: the harness gives these few cases). */
  readonly childProcess?: boolean;
  /** This target's own per-case time bound (default: the run's). */
  readonly timeBoundMs?: number;
  /** Valid files to start from. */
  seeds(): Promise<readonly Uint8Array[]>;
  readonly mutators: readonly Mutator[];
  /** Feeds one file to the loader: returns on success, throws a typed opgraph error on refusal. */
  load(bytes: Uint8Array, rng: Rng): Promise<void> | void;
}

/** A case that ran past its time bound (thrown by targets that enforce the bound themselves). */
export class HangError extends Error {
  override name = 'HangError';
}

/** Options of one fuzz run. */
export interface FuzzOptions {
  readonly cases: number;
  readonly seed: number;
  /** Per-case time bound in milliseconds. */
  readonly timeBoundMs: number;
  /** Cases for child-process targets (they are slow); the rest go to in-process ones. */
  readonly childCases: number;
}

/** One failing case, enough to reproduce it. */
export interface Finding {
  readonly target: string;
  readonly caseNumber: number;
  readonly mutators: readonly string[];
  readonly what: string;
}

/** Counts of one run, per target. */
export interface TargetCounts {
  cases: number;
  ok: number;
  errors: Record<string, number>;
  crashes: number;
  hangs: number;
  slowestMs: number;
}

/** A fuzz run's result. */
export interface FuzzReport {
  readonly options: FuzzOptions;
  readonly targets: Record<string, TargetCounts>;
  readonly findings: Finding[];
  readonly seconds: number;
}

/** Input bytes times this, plus the slack, bounds what one case may allocate. */
const ALLOC_FACTOR = 4;
const ALLOC_SLACK = 64 << 20;

/** Runs `opts.cases` cases over `targets`; deterministic for a given seed (timings aside). */
export async function runFuzz(targets: readonly FuzzTarget[], opts: FuzzOptions): Promise<FuzzReport> {
  const started = performance.now();
  const report: FuzzReport = { options: opts, targets: {}, findings: [], seconds: 0 };
  const seeds = new Map<FuzzTarget, readonly Uint8Array[]>();
  for (const t of targets) seeds.set(t, await t.seeds());
  const inProcess = targets.filter((t) => !t.childProcess);
  const children = targets.filter((t) => t.childProcess);
  const plan = [...Array<boolean>(Math.max(0, opts.cases - opts.childCases)).fill(false), ...Array<boolean>(opts.childCases).fill(true)];
  for (const [n, child] of plan.entries()) {
    const rng = new Rng(opts.seed * 1_000_003 + n);
    const pool = child ? children : inProcess;
    if (pool.length === 0) continue;
    const target = weighted(pool, rng);
    const counts = (report.targets[target.name] ??= { cases: 0, ok: 0, errors: {}, crashes: 0, hangs: 0, slowestMs: 0 });
    const mutators = Array.from({ length: 1 + below(rng, 3) }, () => pick(rng, target.mutators));
    let bytes = pick(rng, seeds.get(target)!);
    for (const m of mutators) bytes = m.apply(bytes, rng);
    const finding = (what: string): void => {
      report.findings.push({ target: target.name, caseNumber: n, mutators: mutators.map((m) => m.name), what });
    };
    counts.cases++;
    await runCase(target, bytes, rng, target.timeBoundMs ?? opts.timeBoundMs, counts, finding);
  }
  return { ...report, seconds: (performance.now() - started) / 1000 };
}

function weighted(pool: readonly FuzzTarget[], rng: Rng): FuzzTarget {
  let r = rng.next() * pool.reduce((s, t) => s + t.weight, 0);
  for (const t of pool) if ((r -= t.weight) < 0) return t;
  return pool.at(-1)!;
}

async function runCase(target: FuzzTarget, bytes: Uint8Array, rng: Rng, boundMs: number, counts: TargetCounts, finding: (what: string) => void): Promise<void> {
  const before = process.memoryUsage().arrayBuffers;
  const t0 = performance.now();
  let error: unknown;
  let failed = false;
  try {
    await target.load(bytes, rng);
  } catch (e) {
    error = e;
    failed = true;
  }
  const ms = performance.now() - t0;
  counts.slowestMs = Math.max(counts.slowestMs, ms);
  const grown = process.memoryUsage().arrayBuffers - before;
  if (error instanceof HangError || ms > boundMs) {
    counts.hangs++;
    finding(`hang: ${Math.round(ms)} ms${error instanceof HangError ? ` (${error.message})` : ''}`);
  } else if (!target.childProcess && grown > ALLOC_FACTOR * bytes.length + ALLOC_SLACK) {
    counts.crashes++;
    finding(`allocated ${grown} bytes for a ${bytes.length}-byte input`);
  } else if (!failed) {
    counts.ok++;
  } else if (isOpgraphError(error) && !/[\n\r]/.test(error.message)) {
    counts.errors[error.name] = (counts.errors[error.name] ?? 0) + 1;
  } else {
    counts.crashes++;
    finding(`crash: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(0, 400));
  }
}

/** Sum of the per-target counts. */
export function totals(report: FuzzReport): TargetCounts {
  const all: TargetCounts = { cases: 0, ok: 0, errors: {}, crashes: 0, hangs: 0, slowestMs: 0 };
  for (const c of Object.values(report.targets)) {
    all.cases += c.cases;
    all.ok += c.ok;
    all.crashes += c.crashes;
    all.hangs += c.hangs;
    all.slowestMs = Math.max(all.slowestMs, c.slowestMs);
    for (const [k, v] of Object.entries(c.errors)) all.errors[k] = (all.errors[k] ?? 0) + v;
  }
  return all;
}

/** The report as a table: one row per target, then totals and typed errors by kind. */
export function formatReport(report: FuzzReport): string {
  const rows = Object.entries(report.targets).map(([name, c]) => [name, c]);
  const all = totals(report);
  const line = (name: string, c: TargetCounts): string => {
    const errs = Object.values(c.errors).reduce((s, v) => s + v, 0);
    return `${name.padEnd(26)} ${String(c.cases).padStart(6)} ${String(c.ok).padStart(6)} ${String(errs).padStart(7)} ${String(c.crashes).padStart(7)} ${String(c.hangs).padStart(5)} ${c.slowestMs.toFixed(0).padStart(8)}`;
  };
  const kinds = Object.entries(all.errors).sort((a, b) => b[1] - a[1]).map(([k, v]) => `  ${k.padEnd(26)} ${v}`);
  return [
    `fuzz: seed ${report.options.seed}, ${all.cases} cases in ${report.seconds.toFixed(1)} s, time bound ${report.options.timeBoundMs} ms per case`,
    `${'target'.padEnd(26)} ${'cases'.padStart(6)} ${'ok'.padStart(6)} ${'refused'.padStart(7)} ${'crashes'.padStart(7)} ${'hangs'.padStart(5)} ${'slowest'.padStart(8)}`,
    ...rows.map(([n, c]) => line(n as string, c as TargetCounts)),
    line('total', all),
    'typed errors by kind:',
    ...kinds,
    ...report.findings.slice(0, 20).map((f) => `FINDING ${f.target} case ${f.caseNumber} [${f.mutators.join(' + ')}]: ${f.what}`),
  ].join('\n');
}
