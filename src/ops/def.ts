// The shape of an op definition: everything the compiler knows about one op lives in one object.
import type { ValueId } from '../ir/graph.ts';
import type { DType, TensorType } from '../ir/types.ts';
import type { Tensor } from '../ir/tensor.ts';
import type { OpAttrs, OpKind } from './attrs.ts';

/** Named op groups that passes test against (never ad hoc lists of kinds). */
export type OpGroup =
  | 'elementwise' // output[i] depends only on inputs at the broadcast index i
  | 'unary'
  | 'binary'
  | 'commutative' // binary and f(a, b) = f(b, a)
  | 'movement' // only moves or copies elements
  | 'reduce'
  | 'contraction' // matmul-like
  | 'normalize'
  | 'recurrent' // a time loop over a sequence
  | 'window' // slides a kernel window over the spatial dims of [N, C, ...spatial] (conv, pools)
  | 'source'; // no inputs

/** One op's definition. Later backends add emitters and gradients to this same object. */
export interface OpDef<K extends OpKind> {
  readonly kind: K;
  readonly groups: readonly OpGroup[];
  /** Allowed number of inputs (max = Infinity for variadic ops). */
  readonly arity: { readonly min: number; readonly max: number };
  /**
   * The shape/dtype rule: input types and attributes to output types.
   * Throws ShapeError with a message describing the violation; callers add node context.
   */
  infer(inputs: readonly TensorType[], attrs: OpAttrs[K]): TensorType[];
  /** Reference semantics: the interpreter's definition of the op, on dense row-major tensors. */
  evaluate(inputs: readonly Tensor[], attrs: OpAttrs[K], outputs: readonly TensorType[]): Tensor[];
  /**
   * True when output 0 holds input 0's elements in the same row-major order (reshape, squeeze,
   * unsqueeze, identity): backends then reuse the input's buffer instead of copying.
   */
  readonly view?: boolean;
  /**
   * True when output 0 is input 0 with some elements replaced (cacheWrite): the memory plan lets
   * it share input 0's buffer when nothing else reads that, so a kernel writes only what changes.
   */
  readonly updatesInput0?: boolean;
  /** For elementwise ops: the per-element computation, as code generators spell it. */
  readonly scalar?: ScalarEmit<K>;
  /**
   * The reverse-mode gradient rule (src/autodiff builds the backward graph from these), or why
   * the op has none. Every op declares one or the other (a meta-test checks it).
   */
  readonly grad: GradRule<K> | NoGrad;
}

/**
 * What a gradient rule sees: the node's operands and results, the gradients of its results,
 * and `emit` to add nodes to the backward graph (types are inferred as for any node).
 */
export interface GradContext<K extends OpKind> {
  readonly attrs: OpAttrs[K];
  readonly inputs: readonly ValueId[];
  readonly outputs: readonly ValueId[];
  /** The gradient of each output; undefined where nothing downstream depends on it. */
  readonly grads: readonly (ValueId | undefined)[];
  /** Which inputs need a gradient (a rule may skip work for the others). */
  readonly needs: readonly boolean[];
  type(v: ValueId): TensorType;
  emit<Q extends OpKind>(op: Q, attrs: OpAttrs[Q], inputs: readonly ValueId[]): ValueId[];
}

/**
 * A gradient rule: given the output gradients, the gradient of each input (same type as the
 * input), or undefined for inputs that get none (integers, or `needs` false).
 */
export type GradRule<K extends OpKind> = (ctx: GradContext<K>) => (ValueId | undefined)[];

/** Declares an op without a gradient rule, with the reason (shown when differentiation meets it). */
export interface NoGrad {
  readonly none: string;
}

/**
 * An elementwise op's per-element computation as source code. Operands arrive as simple
 * expressions of JS numbers (bool as 0/1, i64 already converted); the result is a number that
 * the store converts by the fromNumberArray rule. Functions of src/ops/scalar.ts may be called
 * by name: the TS backend copies the ones a module uses.
 */
export interface ScalarEmit<K extends OpKind> {
  /** TypeScript expression; `dtype` is the first operand's dtype. */
  ts(args: readonly string[], attrs: OpAttrs[K], dtype: DType): string;
  /**
   * WGSL expression over operands of their dtypes' WGSL types (f32, i32 — also for i64 — and
   * u32 0/1 for bool), of the output dtype's WGSL type. Helpers of src/codegen/wgsl/prelude.ts
   * (erf_f, sigmoid_f, pow_f, ...) may be called.
   */
  wgsl(args: readonly string[], attrs: OpAttrs[K], dtype: DType): string;
}

/** A partial op table, as exported by each op-family file. */
export type OpDefs<K extends OpKind> = { readonly [P in K]: OpDef<P> };
