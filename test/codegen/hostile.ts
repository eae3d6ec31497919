// The hostile-name corpus: names and labels that would break out of a string, a comment, a
// template, a line, a DOT label or an object key if any emitter interpolated them raw. Shared by
// test/codegen/security.test.ts and the WGSL GPU suite.
import { F, graph, type Sym } from '../../src/api/index.ts';
import { uniform } from '../../src/api/init.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { tensorType } from '../../src/ir/types.ts';

/** The corpus. */
export const HOSTILE = [
  `quote'single"double`,
  'back`tick`',
  '${process.exit(1)}',
  '*/ evil(); /*',
  'line\nbreak\r\nend',
  'sep\u2028para\u2029end',
  'back\\slash\\',
  '"]; evil',
  '\ud800 lone surrogate',
  '</script><script>evil()</script>',
  'escape \\u0022 \\x27 \\u{2028}',
  '__proto__',
  'constructor',
  'graph ] [label="evil" URL="javascript:evil()"',
] as const;

/** Per name: input `x NAME`, weights `w NAME`, `b NAME`, nodes labelled NAME, output `y NAME`. */
export function namedGraph(names: readonly string[], name: string): Graph {
  return graph(name, (g) => {
    const outs: Record<string, Sym> = {};
    names.forEach((h) => {
      const x = g.input(`x ${h}`, [2, 3]);
      const w = g.param(`w ${h}`, tensorType('f32', [4, 3]), uniform(0.5));
      const b = g.param(`b ${h}`, tensorType('f32', [4]), uniform(0.5));
      outs[`y ${h}`] = g.scoped(h, () => F.linear(x, w, b).relu().softmax(-1));
    });
    return outs;
  });
}

/** One graph carrying every hostile name. */
export const hostile = (): Graph => namedGraph(HOSTILE, HOSTILE.join(' | '));
/**
 * The same graph with plain names: n0, n1, ... followed by each hostile name's letters as `a`,
 * keeping its `.` and `/`, which split a label into module levels (the DOT clusters follow them).
 */
export const benign = (): Graph => namedGraph(HOSTILE.map((h, i) => `n${i}${h.replace(/[^./]/g, 'a')}`), 'benign');
