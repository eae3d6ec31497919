// `npm run demo`: the seed multi-head attention (8 heads, d_model 512) end to end —
// declared with the API, printed as IR, drawn as SVG, run, and compared with PyTorch.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compareTensors, interpret, printGraph, readSafetensors, renderDot, toDot } from '../src/index.ts';
import { writeFileAtomic } from '../src/io/atomic.ts';
import buildMha from './mha-512.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = `${root}test/fixtures/seed000_mha_qkv_h8_d512`;

const g = buildMha();
console.log('── IR ' + '─'.repeat(60));
console.log(printGraph(g));

mkdirSync(`${root}out`, { recursive: true });
const svgPath = `${root}out/mha.svg`;
await writeFileAtomic(svgPath, (await renderDot(toDot(g), 'svg')) as string);
console.log(`drawing: ${svgPath}`);

const weights = await readSafetensors(`${fixture}.weights.safetensors`);
const io = await readSafetensors(`${fixture}.io.safetensors`);
const t0 = performance.now();
const { output } = interpret(g, io, { weights, ignoreExtraInputs: true });
const ms = performance.now() - t0;
const cmp = compareTensors(output!, io.get('expected.output')!, 1e-4, 1e-5);
console.log(`interpreter: ${ms.toFixed(1)} ms for output f32[${output!.shape.join(',')}]`);
console.log(`largest |difference| from PyTorch 1.13: ${cmp.maxAbs.toExponential(2)} (${cmp.ok ? 'within' : 'OUTSIDE'} rtol 1e-4, atol 1e-5)`);
if (!cmp.ok) process.exitCode = 1;
