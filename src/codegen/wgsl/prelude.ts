// WGSL helper functions a shader gets when its code names them (WGSL has no erf, and its pow
// is undefined for negative bases). Each entry lists the helpers it calls.

/** Helper name -> [WGSL source, helpers it uses]. */
export const WGSL_HELPERS: Readonly<Record<string, readonly [string, readonly string[]]>> = {
  // Non-finite values must not be constant expressions in WGSL: read their bits from a variable.
  special_bits: ['var<private> SPECIAL_BITS: vec2u = vec2u(0x7f800000u, 0x7fc00000u);', []],
  inf_f: ['fn inf_f() -> f32 {\n  return bitcast<f32>(SPECIAL_BITS.x);\n}', ['special_bits']],
  nan_f: ['fn nan_f() -> f32 {\n  return bitcast<f32>(SPECIAL_BITS.y);\n}', ['special_bits']],
  erf_f: [
    `fn erf_f(x: f32) -> f32 {
  // Abramowitz & Stegun 7.1.26 refined: |error| < 1.5e-7, below f32 resolution near 1.
  let a = abs(x);
  let t = 1.0 / (1.0 + 0.3275911 * a);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-a * a);
  return select(-y, y, x >= 0.0);
}`,
    [],
  ],
  round_f16_f: [
    `fn round_f16_f(x: f32) -> f32 {
  // roundF16 (ops/scalar.ts): scale by a power of two to the half's last mantissa bit (exact),
  // round ties to even (WGSL's round), scale back; past 65504 it is +-Inf. NaN, Inf, 0 pass.
  let a = abs(x);
  if (!(a > 0.0) || a > 3.4e38) { return x; }
  let e = max(i32((bitcast<u32>(a) >> 23u) & 0xffu) - 127, -14);
  let scale = exp2(f32(10 - e));
  let r = round(a * scale) / scale;
  return select(r, inf_f(), r > 65504.0) * sign(x);
}`,
    ['inf_f'],
  ],
  sigmoid_f: ['fn sigmoid_f(x: f32) -> f32 {\n  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }\n  let e = exp(x);\n  return e / (1.0 + e);\n}', []],
  gelu_f: ['fn gelu_f(x: f32) -> f32 {\n  return 0.5 * x * (1.0 + erf_f(x * 0.70710678118654752));\n}', ['erf_f']],
  gelu_tanh_f: ['fn gelu_tanh_f(x: f32) -> f32 {\n  return 0.5 * x * (1.0 + tanh_f(0.7978845608028654 * (x + 0.044715 * x * x * x)));\n}', ['tanh_f']],
  // log(1 + e^x) without overflow: e^x is only taken of non-positive arguments.
  softplus_f: ['fn softplus_f(x: f32) -> f32 {\n  return max(x, 0.0) + log(1.0 + exp(-abs(x)));\n}', []],
  // x / (1 + |x|) is NaN at ±Inf, where softsign is ±1 (Inf read from the bits).
  softsign_f: ['fn softsign_f(x: f32) -> f32 {\n  if ((bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u) { return sign(x); }\n  return x / (1.0 + abs(x));\n}', []],
  // Built-in tanh may evaluate (e^2x - 1) / (e^2x + 1) and give NaN for large |x|; tanh(15) is 1 in f32.
  tanh_f: ['fn tanh_f(x: f32) -> f32 {\n  return tanh(clamp(x, -15.0, 15.0));\n}', []],
  f32_to_i32: [
    `fn f32_to_i32(x: f32) -> i32 {
  // The cast rule (fromNumberArray): truncate; NaN and +-Inf to 0; wrap modulo 2^32, where
  // WGSL's i32(x) would saturate. Every step is exact in f32.
  if ((bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u) { return 0i; }
  let t = trunc(x);
  if (abs(t) < 2147483648.0) { return i32(t); }
  return bitcast<i32>(u32(t - floor(t / 4294967296.0) * 4294967296.0));
}`,
    [],
  ],
  pow_f: [
    `fn pow_f(a: f32, b: f32) -> f32 {
  // C99 pow: negative bases with integral exponents, pow(1, y) = 1, pow(-1, +-inf) = 1.
  if (a == 1.0 || (a == -1.0 && abs(b) > 3.4e38)) { return 1.0; }
  if (b == 0.0) { return 1.0; }
  if (a < 0.0 && floor(b) == b) {
    let m = pow(-a, b);
    return select(m, -m, (abs(b) % 2.0) == 1.0);
  }
  return pow(a, b);
}`,
    [],
  ],
  ipow: [
    `fn ipow(base: i32, e: i32) -> i32 {
  if (e < 0) { return select(select(0i, select(-1i, 1i, e % 2i == 0i), base == -1i), 1i, base == 1i); }
  var result = 1i;
  var sq = base;
  var k = e;
  loop {
    if (k <= 0i) { break; }
    if (k % 2i == 1i) { result = result * sq; }
    sq = sq * sq;
    k = k / 2i;
  }
  return result;
}`,
    [],
  ],
  round_lowfloat_f: [
    `fn round_lowfloat_f(x: f32, m: i32, minexp: i32, maxv: f32, overflow: u32, negzero: u32, nanto: u32) -> f32 {
  // roundLowFloat (ops/lowfloat.ts): the f16 rounding's method with the format's mantissa bits,
  // smallest normal exponent and largest value; overflow 0 saturates, 1 gives Inf, 2 NaN.
  let bits = bitcast<u32>(x);
  if ((bits & 0x7fffffffu) > 0x7f800000u) { return select(x, -0.0, nanto == 1u); }
  let isinf = (bits & 0x7fffffffu) == 0x7f800000u;
  let a = abs(x);
  var r = 0.0;
  if (a > 0.0 && !isinf) {
    let e = max(i32((bits >> 23u) & 0xffu) - 127, minexp);
    let scale = exp2(f32(m - e));
    r = round(a * scale) / scale;
  }
  if (isinf || r > maxv) { r = select(select(nan_f(), inf_f(), overflow == 1u), maxv, overflow == 0u); }
  if ((bits >> 31u) == 1u) {
    if (r == 0.0 && negzero == 0u) { return 0.0; }
    return -r;
  }
  return r;
}`,
    ['inf_f', 'nan_f'],
  ],
};

/** The helper sources `code` uses, dependencies first. */
export function wgslHelpersFor(code: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = (text: string): void => {
    for (const [name, [src, deps]] of Object.entries(WGSL_HELPERS)) {
      if (seen.has(name) || !new RegExp(`\\b${name}\\(`).test(text)) continue;
      seen.add(name);
      for (const d of deps) visit(d === 'special_bits' ? 'special_bits(' : `${d}(`);
      out.push(src);
    }
  };
  visit(code);
  return out;
}
