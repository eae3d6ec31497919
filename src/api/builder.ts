// The graph-definition API's builder: declares inputs, parameters and ops with eager shape checks.
import { OpgraphError, ShapeError } from '../errors.ts';
import { IRBuilder } from '../ir/builder.ts';
import type { Graph, ValueId } from '../ir/graph.ts';
import { type Tensor, tensor } from '../ir/tensor.ts';
import { type DType, type Shape, type TensorType, formatType, sameType, tensorType } from '../ir/types.ts';
import type { OpAttrs, OpKind } from '../ops/attrs.ts';
import { checkDims } from '../ops/util.ts';
import { verifyGraph } from '../ir/verify.ts';
import { captureStack, siteOf, userCallSite } from './callsite.ts';
import { type Init, Rng } from './init.ts';
import { Sym } from './sym.ts';

/** The stacks where the user's code created each node of a built graph, by its first output (see sourceLocations). */
const SOURCE_STACKS = new WeakMap<Graph, ReadonlyMap<ValueId, Error>>();
/** The same, read into lines on first use. */
const SOURCE_LOCATIONS = new WeakMap<Graph, ReadonlyMap<ValueId, string>>();

/**
 * The source line (`examples/mha.ts:14:7`) that created each node of a graph the API built, by
 * the node's first output value id; passes keep value ids, so it also places the nodes of later
 * graphs that survive them. Undefined for graphs from elsewhere (ONNX, hand-built).
 */
export function sourceLocations(g: Graph): ReadonlyMap<ValueId, string> | undefined {
  const known = SOURCE_LOCATIONS.get(g);
  if (known) return known;
  const stacks = SOURCE_STACKS.get(g);
  if (!stacks) return undefined;
  const sites = new Map<ValueId, string>();
  for (const [v, e] of stacks) {
    const site = siteOf(e);
    if (site) sites.set(v, site);
  }
  SOURCE_LOCATIONS.set(g, sites);
  return sites;
}

/** Stack frames searched for the user's line of each node. */
const SITE_FRAMES = 40;

/** Declares a graph. Every op is shape-checked when it is added, and errors name the user's line. */
export class GraphBuilder {
  private readonly ir: IRBuilder;
  private readonly scopes: string[] = [];
  private readonly params = new Map<string, Sym>();
  private readonly sites = new Map<ValueId, Error>();
  /** The generator parameter initialisers draw from (seeded: builds are deterministic). */
  readonly rng: Rng;

  /**
   * `given(name)` true: the parameter's value will be supplied at compile or run time (a weights
   * file), so no default is drawn for it. A GPT-2-sized model spends seconds drawing defaults
   * that loaded weights then replace.
   */
  constructor(readonly name: string, seed?: number, private readonly given?: (name: string) => boolean) {
    this.ir = new IRBuilder(name);
    this.rng = new Rng(seed);
  }

  /** Declares a graph input (f32 unless `dtype` says otherwise). */
  input(name: string, shape: Shape, dtype: DType = 'f32'): Sym {
    return this.guard(() => this.wrap(this.ir.input(name, tensorType(dtype, shape)).id));
  }

  /**
   * The parameter `name` (a PyTorch state_dict key such as `query_linear.weight`), created on
   * first use with `init` as its default value; later uses return the same value.
   */
  param(name: string, type: TensorType, init: Init): Sym {
    const known = this.params.get(name);
    if (known) {
      if (!sameType(known.type, type)) this.fail(`parameter ${JSON.stringify(name)} redeclared as ${formatType(type)}, was ${formatType(known.type)}`);
      return known;
    }
    // The shape is checked before `init` allocates it.
    const w = this.guard(() => {
      checkDims(type.shape, `parameter ${JSON.stringify(name)} shape`);
      return this.ir.weight(name, type, this.given?.(name) ? undefined : init(type.shape, this.rng));
    });
    const s = this.wrap(w.id);
    this.params.set(name, s);
    return s;
  }

  /** A literal: a tensor, or a scalar number of `dtype`. */
  constant(value: Tensor | number, dtype: DType = 'f32'): Sym {
    const t = typeof value === 'number' ? tensor(dtype, [], [value]) : value;
    return this.op('constant', { value: t }, [])[0]!;
  }

  /** Adds one node of `kind`; returns its outputs. Shape errors point at the calling line. */
  op<K extends OpKind>(kind: K, attrs: OpAttrs[K], inputs: readonly Sym[]): Sym[] {
    for (const s of inputs) {
      if (s.builder !== this) this.fail(`${kind}: an input belongs to graph ${JSON.stringify(s.builder.name)}, not ${JSON.stringify(this.name)}`);
    }
    const label = this.scopes.at(-1);
    const outs = this.guard(() => this.ir.node(kind, attrs, inputs.map((s) => s.id), label));
    if (outs[0]) this.sites.set(outs[0].id, captureStack(SITE_FRAMES));
    return outs.map((v) => this.wrap(v.id));
  }

  /** Throws a ShapeError for `message`, naming the user's line. */
  fail(message: string): never {
    return this.guard(() => {
      throw new ShapeError(message);
    });
  }

  /** Runs `body` with `label` (a layer path) as the label of the nodes it creates. */
  scoped<T>(label: string, body: () => T): T {
    if (!label) return body();
    this.scopes.push(label);
    try {
      return body();
    } finally {
      this.scopes.pop();
    }
  }

  /** Marks `value` as the graph output `name`. */
  output(name: string, value: Sym): void {
    this.guard(() => this.ir.output(name, value.id));
  }

  /** The type of a value of this graph. */
  typeOf(id: ValueId): TensorType {
    return this.ir.typeOf(id);
  }

  /** The finished, verified graph. */
  build(): Graph {
    const g = this.ir.finish();
    verifyGraph(g);
    SOURCE_STACKS.set(g, this.sites);
    return g;
  }

  private wrap(id: ValueId): Sym {
    return new Sym(this, id, this.ir.typeOf(id));
  }

  /** Re-throws opgraph errors with the user's file and line appended. */
  private guard<T>(body: () => T): T {
    try {
      return body();
    } catch (e) {
      if (!(e instanceof OpgraphError)) throw e;
      const at = userCallSite();
      const Ctor = e instanceof ShapeError ? ShapeError : OpgraphError;
      throw at ? new Ctor(`${e.message} (at ${at})`) : e;
    }
  }
}

/** What a model body returns: one output (named `output`) or outputs by name. */
export type ModelOutputs = Sym | Readonly<Record<string, Sym>>;

/** Options of graph(). */
export interface GraphOptions {
  /** Seed of the parameters' default values. */
  readonly seed?: number;
  /** Parameters whose values come at compile or run time: they get no default value (a missing one is then a BindingError naming it). */
  readonly given?: (name: string) => boolean;
}

/**
 * Declares a graph in one call: `graph('mha', (g) => { const x = g.input('x', [1, 3, 6]); ... return y; })`.
 * A single returned value becomes the output named `output`.
 */
export function graph(name: string, body: (g: GraphBuilder) => ModelOutputs, opts: GraphOptions = {}): Graph {
  const g = new GraphBuilder(name, opts.seed, opts.given);
  const out = body(g);
  if (out instanceof Sym) g.output('output', out);
  else for (const [k, v] of Object.entries(out)) g.output(k, v);
  return g.build();
}
