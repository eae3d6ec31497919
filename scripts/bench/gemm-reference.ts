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
 * GotoBLAS-style: B packed once into 4-column panels and each 4-row block of A into 4-row
 * interleaved strips, both as float64 (no float32 conversion in the inner loop, and both streams
 * contiguous); a 4x4 block of C lives in 16 local accumulators over all of k.
 */
export function gemmPacked4x4(): Gemm {
  let bp = new Float64Array(0);
  let ap = new Float64Array(0);
  return (a, b, c, m, k, n) => {
    const panels = Math.ceil(n / 4);
    if (bp.length < panels * 4 * k) bp = new Float64Array(panels * 4 * k);
    if (ap.length < 4 * k) ap = new Float64Array(4 * k);
    bp.fill(0);
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bp[(j >> 2) * 4 * k + p * 4 + (j & 3)] = b[p * n + j]!;
    for (let i0 = 0; i0 < m; i0 += 4) {
      const rows = Math.min(4, m - i0);
      ap.fill(0);
      for (let r = 0; r < rows; r++) for (let p = 0; p < k; p++) ap[p * 4 + r] = a[(i0 + r) * k + p]!;
      for (let jp = 0; jp < panels; jp++) {
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        let q = jp * 4 * k;
        for (let p = 0; p < 4 * k; p += 4, q += 4) {
          const b0 = bp[q]!, b1 = bp[q + 1]!, b2 = bp[q + 2]!, b3 = bp[q + 3]!;
          const x0 = ap[p]!, x1 = ap[p + 1]!, x2 = ap[p + 2]!, x3 = ap[p + 3]!;
          c00 += x0 * b0; c01 += x0 * b1; c02 += x0 * b2; c03 += x0 * b3;
          c10 += x1 * b0; c11 += x1 * b1; c12 += x1 * b2; c13 += x1 * b3;
          c20 += x2 * b0; c21 += x2 * b1; c22 += x2 * b2; c23 += x2 * b3;
          c30 += x3 * b0; c31 += x3 * b1; c32 += x3 * b2; c33 += x3 * b3;
        }
        const j0 = jp * 4;
        if (rows === 4 && j0 + 4 <= n) {
          let o = i0 * n + j0;
          c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03; o += n;
          c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13; o += n;
          c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23; o += n;
          c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
        } else {
          const block = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
          for (let r = 0; r < rows; r++) for (let j = 0; j < Math.min(4, n - j0); j++) c[(i0 + r) * n + j0 + j] = block[r * 4 + j]!;
        }
      }
    }
  };
}

/** Every reference kernel by name. */
export function referenceGemms(): Record<string, Gemm> {
  return { 'i-k-j loops': gemmIkj, 'packed 4x4 register blocks': gemmPacked4x4() };
}
