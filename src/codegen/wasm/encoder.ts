// A small WebAssembly binary encoder: just what the wasm backend emits (one imported memory,
// functions over i32/f32/f64/v128 locals, SIMD128 and relaxed SIMD, exports by index).
// Instructions are appended to a FunctionBuilder by name; structured control flow takes
// callbacks, so blocks always close. Names in a module are exports only, chosen by the
// backend (k0, k1, ...), never taken from a model. The opcode tables are in opcodes.ts.
import { sleb, uleb } from './leb.ts';
import { LANE, type LaneOp, MEMORY, type MemoryOp, PLAIN, type PlainOp, simd } from './opcodes.ts';

export { sleb, uleb } from './leb.ts';

export type { LaneOp, MemoryOp, PlainOp } from './opcodes.ts';

/** Value types of locals, parameters and results. */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

const VALTYPE: Readonly<Record<ValType, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** The body of one function: its locals and its instruction bytes. */
/**
 * Appends `src` to `dst` element by element: `dst.push(...src)` passes every byte as an argument
 * and overflows the call stack once a code section or a function body passes ~100k bytes.
 */
function append(dst: number[], src: readonly number[]): void {
  for (let i = 0; i < src.length; i++) dst.push(src[i]!);
}

export class FunctionBuilder {
  private readonly locals: ValType[] = [];
  private readonly code: number[] = [];
  private depth = 0;

  constructor(readonly params: readonly ValType[], readonly results: readonly ValType[] = []) {}

  /** A new local of type `t`; returns its index. */
  local(t: ValType): number {
    this.locals.push(t);
    return this.params.length + this.locals.length - 1;
  }

  /** Appends instructions by name. */
  op(...names: PlainOp[]): this {
    for (const n of names) this.code.push(...PLAIN[n]);
    return this;
  }

  i32(c: number): this {
    this.code.push(0x41, ...sleb(c | 0));
    return this;
  }

  f32(c: number): this {
    const b = new Uint8Array(new Float32Array([c]).buffer);
    this.code.push(0x43, ...b);
    return this;
  }

  f64(c: number): this {
    const b = new Uint8Array(new Float64Array([c]).buffer);
    this.code.push(0x44, ...b);
    return this;
  }

  /** v128.const from four f32 lanes. */
  f32x4(c: number): this {
    const b = new Uint8Array(new Float32Array([c, c, c, c]).buffer);
    this.code.push(...simd(0x0c), ...b);
    return this;
  }

  /** v128.const from four i32 lanes. */
  i32x4(c: number): this {
    const b = new Uint8Array(new Int32Array([c, c, c, c]).buffer);
    this.code.push(...simd(0x0c), ...b);
    return this;
  }

  get(l: number): this {
    this.code.push(0x20, ...uleb(l));
    return this;
  }

  set(l: number): this {
    this.code.push(0x21, ...uleb(l));
    return this;
  }

  tee(l: number): this {
    this.code.push(0x22, ...uleb(l));
    return this;
  }

  /** A load or store with a constant byte offset (the address is on the stack). */
  mem(name: MemoryOp, offset = 0, alignLog2?: number): this {
    const [bytes, natural] = MEMORY[name];
    if (!Number.isInteger(offset) || offset < 0 || offset > 0xffffffff) throw new Error(`memarg offset ${offset}`);
    this.code.push(...bytes, ...uleb(Math.min(alignLog2 ?? natural, natural)), ...uleb(offset));
    return this;
  }

  lane(name: LaneOp, lane: number): this {
    this.code.push(...LANE[name], lane);
    return this;
  }

  /** i8x16.shuffle with 16 byte-lane indices into the concatenation of two vectors. */
  shuffle(lanes: readonly number[]): this {
    if (lanes.length !== 16) throw new Error('shuffle needs 16 lanes');
    this.code.push(...simd(0x0d), ...lanes);
    return this;
  }

  call(fn: number): this {
    this.code.push(0x10, ...uleb(fn));
    return this;
  }

  /** A block; `br(0)` inside leaves it. */
  block(body: () => void): this {
    return this.structured(0x02, body);
  }

  /** A loop; `br(0)` inside jumps back to its start. */
  loop(body: () => void): this {
    return this.structured(0x03, body);
  }

  /** if (the i32 on the stack) then ... else ... end. */
  if(then: () => void, otherwise?: () => void): this {
    this.code.push(0x04, 0x40);
    this.depth++;
    then();
    if (otherwise) {
      this.code.push(0x05);
      otherwise();
    }
    this.code.push(0x0b);
    this.depth--;
    return this;
  }

  br(depth: number): this {
    this.code.push(0x0c, ...uleb(depth));
    return this;
  }

  brIf(depth: number): this {
    this.code.push(0x0d, ...uleb(depth));
    return this;
  }

  /**
   * for (i = from; i < to; i += step) body(), with `i` an i32 local and literal bounds. Emits
   * nothing when the range is empty; the body runs at least once otherwise (do-while form).
   */
  for(i: number, from: number, to: number, step: number, body: () => void): this {
    if (from >= to) return this;
    this.i32(from).set(i);
    this.loop(() => {
      body();
      this.get(i).i32(step).op('i32.add').tee(i).i32(to).op('i32.lt_s').brIf(0);
    });
    return this;
  }

  private structured(opcode: number, body: () => void): this {
    this.code.push(opcode, 0x40);
    this.depth++;
    body();
    this.code.push(0x0b);
    this.depth--;
    return this;
  }

  /** The encoded body: locals (run-length grouped), instructions, end. */
  encode(): number[] {
    if (this.depth !== 0) throw new Error('unclosed block');
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    const body = [...uleb(groups.length)];
    for (const [n, t] of groups) body.push(...uleb(n), VALTYPE[t]);
    append(body, this.code);
    body.push(0x0b);
    return [...uleb(body.length), ...body];
  }
}

/** Memory imported by a module: `env.memory`, sized in 64 KiB pages. */
export interface MemoryImport {
  readonly pages: number;
  readonly maxPages: number;
  readonly shared: boolean;
}

/** A module: one imported memory, functions, and exports by name. */
export class ModuleBuilder {
  private readonly types: string[] = [];
  private readonly funcs: { type: number; body: FunctionBuilder }[] = [];
  private readonly exports: { name: string; fn: number }[] = [];

  /** Byte offset of the memory import's limits flag in the last encoding (3: shared, 1: not). */
  memoryFlagsAt = -1;

  constructor(private readonly memory: MemoryImport) {}

  /** Adds a function, exported as `exportName` when given; returns its index. */
  add(body: FunctionBuilder, exportName?: string): number {
    const sig = [0x60, ...uleb(body.params.length), ...body.params.map((t) => VALTYPE[t]), ...uleb(body.results.length), ...body.results.map((t) => VALTYPE[t])];
    const key = sig.join(',');
    let type = this.types.indexOf(key);
    if (type < 0) type = this.types.push(key) - 1;
    const index = this.funcs.push({ type, body }) - 1;
    if (exportName !== undefined) this.exports.push({ name: exportName, fn: index });
    return index;
  }

  /** The module's bytes. */
  encode(): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]): void => {
      out.push(id, ...uleb(content.length));
      append(out, content);
    };
    const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
    const name = (s: string): number[] => {
      const b = [...new TextEncoder().encode(s)];
      return [...uleb(b.length), ...b];
    };
    section(1, vec(this.types.map((k) => k.split(',').map(Number))));
    const m = this.memory;
    const limits = m.shared ? [0x03, ...uleb(m.pages), ...uleb(m.maxPages)] : [0x01, ...uleb(m.pages), ...uleb(m.maxPages)];
    const imports = vec([[...name('env'), ...name('memory'), 0x02, ...limits]]);
    section(2, imports);
    this.memoryFlagsAt = out.length - imports.length + imports.indexOf(0x02, 1 + name('env').length + name('memory').length) + 1;
    section(3, vec(this.funcs.map((f) => uleb(f.type))));
    section(7, vec(this.exports.map((e) => [...name(e.name), 0x00, ...uleb(e.fn)])));
    const bodies: number[][] = [];
    for (const f of this.funcs) bodies.push(f.body.encode());
    section(10, vec(bodies));
    return new Uint8Array(out);
  }
}
