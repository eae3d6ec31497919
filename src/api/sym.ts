// Sym: a symbolic tensor of a graph under construction, with PyTorch-flavoured methods.
import type { ValueId } from '../ir/graph.ts';
import { type DType, type Shape, type TensorType, formatType } from '../ir/types.ts';
import type { GraphBuilder } from './builder.ts';
import * as F from './functional.ts';

/** A number operand is turned into a scalar constant of the other operand's dtype. */
export type Operand = Sym | number;

/** A value in a graph being built. Every method adds nodes and checks shapes at once. */
export class Sym {
  constructor(
    /** The builder this value belongs to. */
    readonly builder: GraphBuilder,
    /** Its SSA id. */
    readonly id: ValueId,
    /** Its static type. */
    readonly type: TensorType,
  ) {}

  get shape(): Shape {
    return this.type.shape;
  }
  get dtype(): DType {
    return this.type.dtype;
  }
  /** Rank (torch's `dim()`). */
  get rank(): number {
    return this.type.shape.length;
  }
  /** torch's `size(d)`; negative d counts from the end. */
  size(d: number): number {
    const r = this.rank;
    const k = d < 0 ? d + r : d;
    if (k < 0 || k >= r) this.builder.fail(`size(${d}) is out of range for ${formatType(this.type)}`);
    return this.shape[k]!;
  }
  toString(): string {
    return `%${this.id}: ${formatType(this.type)}`;
  }

  add(o: Operand): Sym { return F.binary('add', this, o); }
  sub(o: Operand): Sym { return F.binary('sub', this, o); }
  mul(o: Operand): Sym { return F.binary('mul', this, o); }
  div(o: Operand): Sym { return F.binary('div', this, o); }
  pow(o: Operand): Sym { return F.binary('pow', this, o); }
  maximum(o: Operand): Sym { return F.binary('max', this, o); }
  minimum(o: Operand): Sym { return F.binary('min', this, o); }
  /** Elementwise comparisons (bool results), as torch's `eq`, `ne`, `lt`, `le`, `gt`, `ge`. */
  eq(o: Operand): Sym { return F.eq(this, o); }
  ne(o: Operand): Sym { return F.ne(this, o); }
  lt(o: Operand): Sym { return F.lt(this, o); }
  le(o: Operand): Sym { return F.le(this, o); }
  gt(o: Operand): Sym { return F.gt(this, o); }
  ge(o: Operand): Sym { return F.ge(this, o); }
  /** torch's `logical_not` / `logical_and` / `logical_or` (non-bool operands count as `!= 0`). */
  logicalNot(): Sym { return F.logicalNot(this); }
  logicalAnd(o: Sym): Sym { return F.logicalAnd(this, o); }
  logicalOr(o: Sym): Sym { return F.logicalOr(this, o); }
  /** torch's `masked_fill(mask, value)`: `value` where the bool mask is true. */
  maskedFill(mask: Sym, value: Operand): Sym { return F.maskedFill(this, mask, value); }
  /** torch's `tril(diagonal)` / `triu(diagonal)` over the last two dims. */
  tril(diagonal = 0): Sym { return F.tril(this, diagonal); }
  triu(diagonal = 0): Sym { return F.triu(this, diagonal); }

  neg(): Sym { return F.unary('neg', this); }
  abs(): Sym { return F.unary('abs', this); }
  exp(): Sym { return F.unary('exp', this); }
  log(): Sym { return F.unary('log', this); }
  sqrt(): Sym { return F.unary('sqrt', this); }
  reciprocal(): Sym { return F.unary('reciprocal', this); }
  tanh(): Sym { return F.unary('tanh', this); }
  sigmoid(): Sym { return F.unary('sigmoid', this); }
  relu(): Sym { return F.unary('relu', this); }
  erf(): Sym { return F.unary('erf', this); }
  gelu(approximate: 'none' | 'tanh' = 'none'): Sym { return F.gelu(this, approximate); }
  /** Element-type conversion (torch's `.to(dtype)`). */
  to(dtype: DType): Sym { return F.cast(this, dtype); }

  matmul(o: Sym): Sym { return F.matmul(this, o); }
  softmax(dim: number): Sym { return F.softmax(this, dim); }
  logSoftmax(dim: number): Sym { return F.logSoftmax(this, dim); }

  /** Sum over `dim` (all dims when omitted). */
  sum(dim?: number | readonly number[], keepdim = false): Sym { return F.reduce('reduceSum', this, dim, keepdim); }
  mean(dim?: number | readonly number[], keepdim = false): Sym { return F.reduce('reduceMean', this, dim, keepdim); }
  /** Max over `dim` (torch's `amax`). */
  amax(dim?: number | readonly number[], keepdim = false): Sym { return F.reduce('reduceMax', this, dim, keepdim); }

  /** torch's `view`/`reshape`: one entry may be -1. */
  view(...shape: number[]): Sym { return F.reshape(this, shape); }
  reshape(...shape: number[]): Sym { return F.reshape(this, shape); }
  /** Swaps two dims (negative allowed). */
  transpose(d0: number, d1: number): Sym { return F.transpose(this, d0, d1); }
  permute(...dims: number[]): Sym { return F.permute(this, dims); }
  /** A no-op: layouts are the compiler's business, as `.contiguous()` is PyTorch's. */
  contiguous(): Sym { return this; }
  unsqueeze(dim: number): Sym { return F.unsqueeze(this, dim); }
  squeeze(dim?: number): Sym { return F.squeeze(this, dim); }
  /** torch's `expand`: -1 keeps a dim. */
  expand(...shape: number[]): Sym { return F.expand(this, shape); }
  /** Elements start..end (exclusive) with `step` along `dim` (Python slicing `x[:, a:b:s]`). */
  slice(dim: number, start: number, end: number, step = 1): Sym { return F.slice(this, dim, start, end, step); }
  /** torch's `select`: index `i` of `dim`, removing that dim. */
  select(dim: number, i: number): Sym { return F.select(this, dim, i); }
}
