import { readdirSync } from 'node:fs';
import { runOnnxCase } from './src/io/onnx/testcase.ts';
const root = '/work/shared/onnx-node';
const be = (process.argv[2] ?? 'interp') as 'interp';
const filt = process.argv[3] ?? '';
let p = 0, f = 0, u = 0;
for (const c of readdirSync(root).filter(c => c.startsWith('test_') && c.includes(filt))) {
  const r = await runOnnxCase(`${root}/${c}`, be);
  if (r.status === 'passed') p++; else if (r.status === 'failed') f++; else u++;
  if (r.status !== 'passed') console.log(r.status, c, r.detail);
}
console.log(p, f, u);
