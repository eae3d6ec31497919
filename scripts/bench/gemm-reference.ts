// Hand-written scalar TypeScript GEMM kernels, C[m, n] = A[m, k] @ B[k, n] (row-major float32), as
// a user would tune one by hand: the yardstick for opgraph's generated matmul. The bench times
// each and compares opgraph with the fastest.

/** A GEMM kernel: writes c = a @ b. */
export type Gemm = (a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number) => void;

/** i-k-j order: a row of C accumulates a scaled row of B; unit stride innermost, no packing. */
export const gemmIkj: Gemm = (a, b, c, m, k, n) => {
  c.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    const ci = i * n;
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p]!;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j]!;
    }
  }
};

/**
 * B packed once into 4-column panels (K x 4, float64: no conversion in the inner loop); for each
 * panel, which stays in cache, every 4-row block of A is read straight from its rows, and a 4x4
 * block of C lives in 16 local accumulators over all of k.
 */
export function gemmPanels(): Gemm {
  let bp = new Float64Array(0);
  return (a, b, c, m, k, n) => {
    const panels = Math.ceil(n / 4);
    if (bp.length < panels * 4 * k) bp = new Float64Array(panels * 4 * k);
    bp.fill(0);
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bp[(j >> 2) * 4 * k + p * 4 + (j & 3)] = b[p * n + j]!;
    for (let jp = 0; jp < panels; jp++) {
      const j0 = jp * 4;
      for (let i0 = 0; i0 < m; i0 += 4) {
        // Rows past the end re-read the last row; their sums are never stored.
        const a0 = i0 * k, a1 = Math.min(i0 + 1, m - 1) * k, a2 = Math.min(i0 + 2, m - 1) * k, a3 = Math.min(i0 + 3, m - 1) * k;
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        let q = jp * 4 * k;
        for (let p = 0; p < k; p++, q += 4) {
          const b0 = bp[q]!, b1 = bp[q + 1]!, b2 = bp[q + 2]!, b3 = bp[q + 3]!;
          const x0 = a[a0 + p]!, x1 = a[a1 + p]!, x2 = a[a2 + p]!, x3 = a[a3 + p]!;
          c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
          c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
          c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
          c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
        }
        if (i0 + 4 <= m && j0 + 4 <= n) {
          let o = i0 * n + j0;
          c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03; o += n;
          c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13; o += n;
          c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23; o += n;
          c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
        } else {
          const block = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
          for (let r = 0; r < Math.min(4, m - i0); r++) for (let j = 0; j < Math.min(4, n - j0); j++) c[(i0 + r) * n + j0 + j] = block[r * 4 + j]!;
        }
      }
    }
  };
}

/**
 * GotoBLAS-style cache blocking around the same 4x4 register block: k in slices of KC, each slice
 * of B packed into 4-column panels (KC x 4 float64, held in L1 while every row strip passes over
 * it), rows in blocks of MC packed into 4-row strips (MC x KC float64, held in L2).
 */
export function gemmBlocked(KC = 256, MC = 64): Gemm {
  let bp = new Float64Array(0);
  let ap = new Float64Array(0);
  return (a, b, c, m, k, n) => {
    const panels = Math.ceil(n / 4);
    if (bp.length < panels * 4 * KC) bp = new Float64Array(panels * 4 * KC);
    if (ap.length < (MC + 3) * KC) ap = new Float64Array((MC + 3) * KC);
    c.fill(0, 0, m * n);
    for (let k0 = 0; k0 < k; k0 += KC) {
      const kc = Math.min(KC, k - k0);
      bp.fill(0);
      for (let p = 0; p < kc; p++) {
        const row = (k0 + p) * n;
        for (let j = 0; j < n; j++) bp[(j >> 2) * 4 * kc + p * 4 + (j & 3)] = b[row + j]!;
      }
      for (let ib = 0; ib < m; ib += MC) {
        const mc = Math.min(MC, m - ib);
        const strips = Math.ceil(mc / 4);
        ap.fill(0, 0, strips * 4 * kc);
        for (let r = 0; r < mc; r++) {
          const src = (ib + r) * k + k0;
          const dst = (r >> 2) * 4 * kc + (r & 3);
          for (let p = 0; p < kc; p++) ap[dst + p * 4] = a[src + p]!;
        }
        for (let jp = 0; jp < panels; jp++) {
          const j0 = jp * 4;
          const bBase = jp * 4 * kc;
          for (let s = 0; s < strips; s++) {
            let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
            let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
            let q = bBase;
            let p = s * 4 * kc;
            const end = p + 4 * kc;
            for (; p < end; p += 4, q += 4) {
              const b0 = bp[q]!, b1 = bp[q + 1]!, b2 = bp[q + 2]!, b3 = bp[q + 3]!;
              const x0 = ap[p]!, x1 = ap[p + 1]!, x2 = ap[p + 2]!, x3 = ap[p + 3]!;
              c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
              c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
              c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
              c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
            }
            const i0 = ib + s * 4;
            if (i0 + 4 <= m && j0 + 4 <= n) {
              let o = i0 * n + j0;
              c[o] += c00; c[o + 1] += c01; c[o + 2] += c02; c[o + 3] += c03; o += n;
              c[o] += c10; c[o + 1] += c11; c[o + 2] += c12; c[o + 3] += c13; o += n;
              c[o] += c20; c[o + 1] += c21; c[o + 2] += c22; c[o + 3] += c23; o += n;
              c[o] += c30; c[o + 1] += c31; c[o + 2] += c32; c[o + 3] += c33;
            } else {
              const block = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
              for (let r = 0; r < Math.min(4, m - i0); r++) for (let j = 0; j < Math.min(4, n - j0); j++) c[(i0 + r) * n + j0 + j] += block[r * 4 + j]!;
            }
          }
        }
      }
    }
  };
}

/** Every reference kernel by name. */
export function referenceGemms(): Record<string, Gemm> {
  return { 'i-k-j loops': gemmIkj, 'packed B panels, 4x4 register blocks': gemmPanels(), 'cache-blocked, packed 4x4 register blocks': gemmBlocked() };
}
