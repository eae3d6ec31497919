// The `opgraph` command under fuzz: `run` on mutated input and weight files (in process through
// main(), and as a child process through bin/opgraph.mjs), and `print` on model modules whose
// sizes are hostile numbers. A refusal must be exit code 1 or 2 with exactly one stderr line
// `opgraph: Kind: message`, never an internal error or a stack trace.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rng } from '../../src/api/init.ts';
import { main } from '../../src/cli/main.ts';
import { OpgraphError } from '../../src/errors.ts';
import { type FuzzTarget, HangError } from './harness.ts';
import { BYTE_MUTATORS, type Mutator, SAFETENSORS_MUTATORS, pick } from './mutate.ts';
import { ONNX_MUTATORS } from './onnx-mutate.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = `${ROOT}test/fixtures/`;
const MHA = `${FIXTURES}seed000_mha_qkv_h2_d6`;

let scratch: string | undefined;
/** A temp directory for this process's case files, removed at exit. */
function dir(): string {
  if (scratch === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'opgraph-fuzz-'));
    process.on('exit', () => rmSync(made, { recursive: true, force: true }));
    scratch = made;
  }
  return scratch;
}

/** A refusal the CLI reported properly; `name` is the error kind from its one line. */
class CliRefusal extends OpgraphError {
  constructor(kind: string, message: string) {
    super(message);
    this.name = kind;
  }
}

/** Checks one CLI outcome: returns on exit 0, throws a CliRefusal for a proper refusal, else an Error (a crash). */
function judge(code: number, stderr: string): void {
  if (code === 0) return;
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  const m = /^opgraph: (\w+): /.exec(lines[0] ?? '');
  const proper = (code === 1 || code === 2) && lines.length === 1 && m !== null && !/internal error/.test(lines[0]!);
  if (!proper) throw new Error(`exit ${code}, stderr: ${JSON.stringify(stderr.slice(0, 300))}`);
  throw new CliRefusal(m[1]!, lines[0]!);
}

/** Arguments of `opgraph run EXAMPLE` with the mutated bytes standing in for the inputs or the weights. */
function runArgs(example: string, fixture: string, bytes: Uint8Array, rng: Rng, tag: string): string[] {
  const mutated = join(dir(), `${tag}.safetensors`);
  writeFileSync(mutated, bytes);
  const asWeights = rng.next() < 0.5;
  return [
    'run', example,
    '--inputs', asWeights ? `${fixture}.io.safetensors` : mutated,
    '--weights', asWeights ? mutated : `${fixture}.weights.safetensors`,
    '--backend', pick(rng, ['interp', 'ts']),
    '--out', join(dir(), `${tag}.out.safetensors`),
  ];
}

/** A fixture's input and weight files. */
const seeds = (fixture: string) => async (): Promise<Uint8Array[]> =>
  [`${fixture}.io.safetensors`, `${fixture}.weights.safetensors`].map((f) => new Uint8Array(readFileSync(f)));

/** `opgraph run EXAMPLE` in this process, through main() with captured output. */
export function cliRunTarget(example: string, fixture: string): FuzzTarget {
  return {
    name: `cli-run:${example}`,
    weight: 0.5,
    seeds: seeds(FIXTURES + fixture),
    mutators: [...BYTE_MUTATORS, ...SAFETENSORS_MUTATORS],
    async load(bytes, rng) {
      let stderr = '';
      const io = { out: () => undefined, err: (t: string) => void (stderr += t.endsWith('\n') ? t : `${t}\n`), help: () => 0 };
      judge(await main(runArgs(example, FIXTURES + fixture, bytes, rng, 'in-process'), io), stderr);
    },
  };
}

/** Hostile values for the sizes of a model module. */
const SIZES = ['0', '-1', '1.5', '1e9', '65536', '2147483648', '1e300', 'NaN', 'Infinity', '"3"', 'null', '7'];

/** Replaces one size literal of `seedMha({ batch: 1, seq: 3, dModel: 6, heads: 2 })` with a hostile value. */
const MODEL_SIZES: Mutator = {
  name: 'model-sizes',
  apply(b, rng) {
    const text = new TextDecoder().decode(b);
    const key = pick(rng, ['batch', 'seq', 'dModel', 'heads']);
    return new TextEncoder().encode(text.replace(new RegExp(`${key}: [^,}]+`), `${key}: ${pick(rng, SIZES)}`));
  },
};

const MODEL_SEED = `import { seedMha } from ${JSON.stringify(`${ROOT}examples/mha.ts`)};
export default () => seedMha({ batch: 1, seq: 3, dModel: 6, heads: 2 });
`;

/** Runs bin/opgraph.mjs; a run past `boundMs` is killed and reported as a hang. */
function spawnCli(args: readonly string[], boundMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [`${ROOT}bin/opgraph.mjs`, ...args], { timeout: boundMs, killSignal: 'SIGKILL' }, (err, _out, stderr) => {
      if (err?.killed) return reject(new HangError(`opgraph ${args[0]} killed after ${boundMs} ms`));
      try {
        judge(err ? (typeof err.code === 'number' ? err.code : -1) : 0, stderr);
        resolve();
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** Time bound of one child-process case: a cold start of node with tsx takes a few seconds here. */
export const CHILD_BOUND_MS = 30_000;

/** `opgraph run` as a child process, as a user runs it, on a mutated input or weights file. */
export const CLI_CHILD_RUN_TARGET: FuzzTarget = {
  name: 'cli-child:run',
  weight: 1,
  childProcess: true,
  timeBoundMs: CHILD_BOUND_MS,
  seeds: seeds(MHA),
  mutators: [...BYTE_MUTATORS, ...SAFETENSORS_MUTATORS],
  load: (bytes, rng) => spawnCli(runArgs('mha', MHA, bytes, rng, 'child'), CHILD_BOUND_MS),
};

/**
 * `opgraph print` as a child process on a model module whose sizes are hostile numbers. A model
 * module is code (see docs/security.md), so only its numbers are mutated, or it is truncated.
 */
export const CLI_CHILD_PRINT_TARGET: FuzzTarget = {
  name: 'cli-child:print',
  weight: 1,
  childProcess: true,
  timeBoundMs: CHILD_BOUND_MS,
  seeds: async () => [new TextEncoder().encode(MODEL_SEED)],
  mutators: [MODEL_SIZES, MODEL_SIZES, MODEL_SIZES, BYTE_MUTATORS.find((m) => m.name === 'truncate')!],
  load(bytes) {
    const model = join(dir(), 'model.ts');
    writeFileSync(model, bytes);
    return spawnCli(['print', model], CHILD_BOUND_MS);
  },
};

/** `opgraph print` as a child process on a mutated .onnx file (seeded from the PyTorch exports). */
export const CLI_CHILD_ONNX_TARGET: FuzzTarget = {
  name: 'cli-child:onnx',
  weight: 1,
  childProcess: true,
  timeBoundMs: CHILD_BOUND_MS,
  seeds: async () => readdirSync(FIXTURES).filter((f) => f.endsWith('.onnx')).sort().map((f) => new Uint8Array(readFileSync(FIXTURES + f))),
  mutators: [...BYTE_MUTATORS, ...ONNX_MUTATORS],
  load(bytes) {
    const model = join(dir(), 'model.onnx');
    writeFileSync(model, bytes);
    return spawnCli(['print', model], CHILD_BOUND_MS);
  },
};
