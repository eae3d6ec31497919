// assertElementReads: the non-null assertions the TS emitter adds to kernel bodies, so generated
// modules pass a consumer's noUncheckedIndexedAccess. Reads and read-modify-writes get `!`;
// plain stores, strings, templates, comments, array literals and types are left as written; the
// JavaScript a module compiles to is the same as without them (the hot loops do not change).
import { describe, expect, it } from 'vitest';
import { assertElementReads } from '../../src/codegen/ts/element-reads.ts';
import { tsMorph } from '../../src/codegen/ts-morph.ts';
import { generateTs } from '../../src/codegen/ts/index.ts';
import { PIPELINES, runPipeline } from '../../passes/pipeline.ts';
import { buildExample } from '../example-graphs.ts';
import { typecheck } from './helpers.ts';

const CASES: readonly (readonly [string, string, string])[] = [
  ['a read', 'acc += x0[pa] * x1[pb];', 'acc += x0[pa]! * x1[pb]!;'],
  ['a plain store', 'y0[o + 1] = c01 + x2[(j + 1)];', 'y0[o + 1] = c01 + x2[(j + 1)]!;'],
  ['a chained store', 'dxp[j] = dhp[j] = dh[j];', 'dxp[j] = dhp[j] = dh[j]!;'],
  ['compound assignments read', 'sc[r] *= corr; sc[r] += 1; sc[r]++;', 'sc[r]! *= corr; sc[r]! += 1; sc[r]!++;'],
  ['comparisons read', 'if (x[i] === 0 || x[i]!== 1 || x[i] == 2) {}', 'if (x[i]! === 0 || x[i]!!== 1 || x[i]! == 2) {}'],
  ['an index that reads', 'y[q[i]] = 1;', 'y[q[i]!] = 1;'],
  ['nested accesses', 'const v = m[i][j];', 'const v = m[i]![j]!;'],
  ['already asserted', 'const v = order[r]!;', 'const v = order[r]!;'],
  ['a call result', 'const v = f(x)[0];', 'const v = f(x)[0]!;'],
  ['array literals and types', 'const a: number[] = [x[0], 2]; const [b, c] = [1, 2];', 'const a: number[] = [x[0]!, 2]; const [b, c] = [1, 2];'],
  ['strings and comments', "throw new Error('x[0]' + \"y[1]\"); // z[2]\n/* w[3] */ v[4];", "throw new Error('x[0]' + \"y[1]\"); // z[2]\n/* w[3] */ v[4]!;"],
  ['templates and their expressions', 'throw new RangeError(`at a[${i}]: ${x[i]} of ${{ n: y[0] }.n}`);', 'throw new RangeError(`at a[${i}]: ${x[i]!} of ${{ n: y[0]! }.n}`);'],
  ['arrow functions', 'const f = (k: number) => x[k];', 'const f = (k: number) => x[k]!;'],
];

describe('assertElementReads', () => {
  it.each(CASES)('%s', (_what, body, want) => {
    expect(assertElementReads(body)).toBe(want);
  });

  it('the asserted kernel type-checks under noUncheckedIndexedAccess, the original does not', () => {
    const body = 'let acc = 0;\nfor (let k = 0; k < 4; k++) acc += x0[k] * x1[k];\ny0[0] = acc;\ny0[1] += x0[0];\nconst m = [[1]];\ny0[2] = m[0][0];';
    const fn = (b: string): string => `export function k(x0: Float32Array, x1: Float32Array, y0: Float32Array): void {\n${b}\n}\n`;
    expect(typecheck({ 'ok/model.ts': fn(assertElementReads(body)) }).output).toBe('');
    expect(typecheck({ 'bad/model.ts': fn(body) }).output).toMatch(/TS2532|TS18048/);
  });

  it('is erased: a generated module compiles to the same JavaScript as its kernels without the assertions', async () => {
    const source = generateTs(runPipeline(await buildExample('gpt2-block'), PIPELINES[2]).graph).source;
    expect(source).toMatch(/\]!/);
    const js = (ts: string): string => tsMorph().ts.transpileModule(ts, { compilerOptions: { target: tsMorph().ts.ScriptTarget.ES2022 } }).outputText;
    // Removing the scanner's `]!` (reads only: `]!=` is a comparison) gives the kernels as the families wrote them.
    expect(js(source)).toBe(js(source.replace(/\]!(?!=)/g, ']')));
  });
});
