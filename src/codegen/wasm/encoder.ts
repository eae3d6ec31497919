// A small WebAssembly binary encoder: just what the wasm backend emits (one imported memory,
// functions over i32/f32/f64/v128 locals, SIMD128 and relaxed SIMD, exports by index).
// Instructions are appended to a FunctionBuilder by name; structured control flow takes
// callbacks, so blocks always close. Names in a module are exports only, chosen by the
// backend (k0, k1, ...), never taken from a model.

/** Value types of locals, parameters and results. */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

const VALTYPE: Readonly<Record<ValType, number>> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Unsigned LEB128. */
export function uleb(n: number, out: number[] = []): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`uleb of ${n}`);
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** Signed LEB128 (i32 and i64 constants). */
export function sleb(n: number | bigint, out: number[] = []): number[] {
  let v = BigInt(n);
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

const simd = (op: number): number[] => [0xfd, ...uleb(op)];

/** Plain (immediate-free) instructions by their text names. */
const PLAIN = {
  unreachable: [0x00], nop: [0x01], return: [0x0f], drop: [0x1a], select: [0x1b],
  'i32.eqz': [0x45], 'i32.eq': [0x46], 'i32.ne': [0x47], 'i32.lt_s': [0x48], 'i32.lt_u': [0x49],
  'i32.gt_s': [0x4a], 'i32.gt_u': [0x4b], 'i32.le_s': [0x4c], 'i32.le_u': [0x4d], 'i32.ge_s': [0x4e], 'i32.ge_u': [0x4f],
  'f32.eq': [0x5b], 'f32.ne': [0x5c], 'f32.lt': [0x5d], 'f32.gt': [0x5e], 'f32.le': [0x5f], 'f32.ge': [0x60],
  'f64.eq': [0x61], 'f64.ne': [0x62], 'f64.lt': [0x63], 'f64.gt': [0x64], 'f64.le': [0x65], 'f64.ge': [0x66],
  'i32.add': [0x6a], 'i32.sub': [0x6b], 'i32.mul': [0x6c], 'i32.div_s': [0x6d], 'i32.div_u': [0x6e],
  'i32.rem_s': [0x6f], 'i32.rem_u': [0x70], 'i32.and': [0x71], 'i32.or': [0x72], 'i32.xor': [0x73],
  'i32.shl': [0x74], 'i32.shr_s': [0x75], 'i32.shr_u': [0x76],
  'f32.abs': [0x8b], 'f32.neg': [0x8c], 'f32.ceil': [0x8d], 'f32.floor': [0x8e], 'f32.trunc': [0x8f],
  'f32.nearest': [0x90], 'f32.sqrt': [0x91], 'f32.add': [0x92], 'f32.sub': [0x93], 'f32.mul': [0x94],
  'f32.div': [0x95], 'f32.min': [0x96], 'f32.max': [0x97], 'f32.copysign': [0x98],
  'f64.abs': [0x99], 'f64.neg': [0x9a], 'f64.sqrt': [0x9f], 'f64.add': [0xa0], 'f64.sub': [0xa1],
  'f64.mul': [0xa2], 'f64.div': [0xa3], 'f64.min': [0xa4], 'f64.max': [0xa5],
  'i32.trunc_f32_s': [0xa8], 'i32.trunc_f64_s': [0xaa], 'f32.convert_i32_s': [0xb2], 'f32.demote_f64': [0xb6],
  'f64.convert_i32_s': [0xb7], 'f64.promote_f32': [0xbb], 'i32.reinterpret_f32': [0xbc], 'f32.reinterpret_i32': [0xbe],
  'i32.trunc_sat_f32_s': [0xfc, 0x00],
  'memory.copy': [0xfc, 0x0a, 0x00, 0x00], 'memory.fill': [0xfc, 0x0b, 0x00],
  'i32x4.splat': simd(0x11), 'f32x4.splat': simd(0x13),
  'i32x4.eq': simd(0x37), 'i32x4.ne': simd(0x38), 'i32x4.lt_s': simd(0x39), 'i32x4.gt_s': simd(0x3b),
  'f32x4.eq': simd(0x41), 'f32x4.ne': simd(0x42), 'f32x4.lt': simd(0x43), 'f32x4.gt': simd(0x44),
  'f32x4.le': simd(0x45), 'f32x4.ge': simd(0x46),
  'v128.not': simd(0x4d), 'v128.and': simd(0x4e), 'v128.andnot': simd(0x4f), 'v128.or': simd(0x50),
  'v128.xor': simd(0x51), 'v128.bitselect': simd(0x52), 'v128.any_true': simd(0x53),
  'f32x4.ceil': simd(0x67), 'f32x4.floor': simd(0x68), 'f32x4.trunc': simd(0x69), 'f32x4.nearest': simd(0x6a),
  'i32x4.all_true': simd(0xa3), 'i32x4.bitmask': simd(0xa4),
  'i32x4.shl': simd(0xab), 'i32x4.shr_s': simd(0xac), 'i32x4.shr_u': simd(0xad),
  'i32x4.add': simd(0xae), 'i32x4.sub': simd(0xb1), 'i32x4.mul': simd(0xb5),
  'i32x4.min_s': simd(0xb6), 'i32x4.max_s': simd(0xb8),
  'f32x4.abs': simd(0xe0), 'f32x4.neg': simd(0xe1), 'f32x4.sqrt': simd(0xe3), 'f32x4.add': simd(0xe4),
  'f32x4.sub': simd(0xe5), 'f32x4.mul': simd(0xe6), 'f32x4.div': simd(0xe7), 'f32x4.min': simd(0xe8),
  'f32x4.max': simd(0xe9), 'f32x4.pmin': simd(0xea), 'f32x4.pmax': simd(0xeb),
  'i32x4.trunc_sat_f32x4_s': simd(0xf8), 'f32x4.convert_i32x4_s': simd(0xfa),
  'f32x4.relaxed_madd': simd(0x105), 'f32x4.relaxed_nmadd': simd(0x106),
} as const satisfies Record<string, readonly number[]>;

/** Names of immediate-free instructions. */
export type PlainOp = keyof typeof PLAIN;

/** Loads and stores, with their opcode and natural alignment (log2 bytes). */
const MEMORY = {
  'i32.load': [[0x28], 2], 'i64.load': [[0x29], 3], 'f32.load': [[0x2a], 2], 'f64.load': [[0x2b], 3],
  'i32.load8_u': [[0x2d], 0], 'i32.load8_s': [[0x2c], 0],
  'i32.store': [[0x36], 2], 'i64.store': [[0x37], 3], 'f32.store': [[0x38], 2], 'f64.store': [[0x39], 3],
  'i32.store8': [[0x3a], 0],
  'v128.load': [simd(0x00), 4], 'v128.load32_splat': [simd(0x09), 2], 'v128.store': [simd(0x0b), 4],
  'v128.load32_zero': [simd(0x5c), 2], 'v128.load64_zero': [simd(0x5d), 3],
} as const satisfies Record<string, readonly [readonly number[], number]>;

/** Names of memory instructions. */
export type MemoryOp = keyof typeof MEMORY;

/** Lane instructions (one lane-index immediate). */
const LANE = {
  'f32x4.extract_lane': simd(0x1f), 'f32x4.replace_lane': simd(0x20),
  'i32x4.extract_lane': simd(0x1b), 'i32x4.replace_lane': simd(0x1c),
} as const satisfies Record<string, readonly number[]>;

/** Names of lane instructions. */
export type LaneOp = keyof typeof LANE;

/** The body of one function: its locals and its instruction bytes. */
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
    body.push(...this.code, 0x0b);
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
      out.push(id, ...uleb(content.length), ...content);
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
