// One decoding graph on one backend, with the KV cache living in that backend's memory. TS
// modules of the prefill and step graphs share the same cache arrays; a wasm or WebGPU module
// has a memory of its own, so the cache a prefill wrote moves to the step module once per
// prompt (a copy inside the runtime: wasm memory to wasm memory, GPU buffer to GPU buffer), and
// never per step.
import type { OptLevel } from '../../passes/pipeline.ts';
import { type CompiledModel, type GpuCompiledModel, compile, compileWgsl } from '../compile.ts';
import { OpgraphError } from '../errors.ts';
import type { Graph } from '../ir/graph.ts';
import { numel } from '../ir/types.ts';
import { type Tensor, f32 } from '../ir/tensor.ts';
import type { NamedTensors } from '../runtime/bind.ts';
import { interpret } from '../runtime/interpreter.ts';
import { PRESENT_PREFIX } from '../api/decoding.ts';
import { cacheWeights } from './state.ts';

/** Where a decoder runs ('interp' is the reference interpreter). */
export type DecodeTarget = 'interp' | 'ts' | 'wasm' | 'wgsl';

/** How the backends are compiled. */
export interface BackendOptions {
  readonly target: DecodeTarget;
  /** The model's weights by name (PyTorch state_dict keys); absent: the graph's default values. */
  readonly weights?: NamedTensors;
  readonly strict?: boolean;
  readonly level?: OptLevel;
  /** wasm threads. */
  readonly threads?: number;
}

/** One compiled decoding graph. */
export interface Phase {
  /** Runs it: `tokens` (and `pos` for a step); resolves to the logits. */
  run(inputs: ReadonlyMap<string, Tensor>): Promise<Tensor>;
  /** The graph it runs (after the passes, on compiled targets). */
  readonly graph: Graph;
  destroy(): void;
}

/** Builds phases on one backend; every phase it builds shares (or hands over) one KV cache. */
export interface PhaseFactory {
  build(g: Graph): Promise<Phase>;
  /** Gives `to` the cache `from` wrote (nothing to do where they share it). */
  handOver(from: Phase, to: Phase): void;
}

function entries(w: NamedTensors | undefined): [string, Tensor][] {
  if (!w) return [];
  return w instanceof Map ? [...w] : Object.entries(w);
}

/** Zero caches for every cache weight of `g` (types from the graph). */
function zeroCaches(g: Graph, names: readonly string[]): Map<string, Tensor> {
  return new Map(names.map((n) => {
    const { shape } = g.weights.find((w) => w.name === n)!.type;
    return [n, f32(shape, new Float32Array(numel(shape)))];
  }));
}

/** The phase factory of a backend. `probe` is any graph of the model, for the cache's names and types. */
export function phaseFactory(probe: Graph, opts: BackendOptions): PhaseFactory {
  const names = cacheWeights(probe, opts.target === 'interp');
  const caches = zeroCaches(probe, names);
  const user = entries(opts.weights);
  for (const [n] of user) if (caches.has(n)) throw new OpgraphError(`weight ${JSON.stringify(n)} is a KV cache of the decoder, not a model weight`);
  const weights = new Map([...user, ...caches]);
  const strict = opts.weights ? opts.strict ?? true : false;
  const level = opts.level ?? 2;
  switch (opts.target) {
    case 'interp': return { build: async (g) => interpPhase(g, weights, caches, strict), handOver: () => undefined };
    case 'ts':
    case 'wasm': {
      const models = new WeakMap<Phase, CompiledModel>();
      const target = opts.target;
      return {
        async build(g) {
          const m = await compile(g, { target, weights, strict, level, threads: opts.threads ?? 1 });
          const phase = modulePhase(m);
          models.set(phase, m);
          return phase;
        },
        handOver(from, to) {
          for (const n of names) {
            const [a, b] = [models.get(from)!.module.weight(n), models.get(to)!.module.weight(n)];
            if (a !== b) (b as Float32Array).set(a as Float32Array);
          }
        },
      };
    }
    case 'wgsl': {
      const models = new WeakMap<Phase, GpuCompiledModel>();
      return {
        async build(g) {
          const m = await compileWgsl(g, { weights, strict, level });
          const phase = gpuPhase(m);
          models.set(phase, m);
          return phase;
        },
        handOver: (from, to) => models.get(to)!.copyWeightsFrom(models.get(from)!, names),
      };
    }
    default: throw new OpgraphError(`unknown decode target ${JSON.stringify(opts.target)} (interp, ts, wasm or wgsl)`);
  }
}

/** The oracle: graphs with `present:` outputs, the caches kept as tensors and passed as weights. */
function interpPhase(g: Graph, weights: Map<string, Tensor>, caches: Map<string, Tensor>, strict: boolean): Phase {
  return {
    graph: g,
    async run(inputs) {
      const out = interpret(g, inputs, { weights, strict });
      for (const name of caches.keys()) {
        const next = out[`${PRESENT_PREFIX}${name}`];
        if (!next) throw new OpgraphError(`graph ${JSON.stringify(g.name)} lacks the output ${PRESENT_PREFIX}${name} the interpreter needs`);
        caches.set(name, next);
        weights.set(name, next);
      }
      return out.logits!;
    },
    destroy: () => undefined,
  };
}

function modulePhase(m: CompiledModel): Phase {
  cacheWeights(m.graph);
  return { graph: m.graph, run: async (inputs) => m.run(inputs).logits!, destroy: () => m.dispose() };
}

function gpuPhase(m: GpuCompiledModel): Phase {
  cacheWeights(m.graph);
  return { graph: m.graph, run: async (inputs) => (await m.run(inputs)).logits!, destroy: () => m.destroy() };
}
