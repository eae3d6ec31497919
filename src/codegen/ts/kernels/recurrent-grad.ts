// The rnnGrad kernel: backpropagation through an rnn's time loop, per direction and batch row,
// walking the steps in reverse processing order. Gradients accumulate in f64 scratch and are
// stored once at the end; every size and the loop order are literals.
import type { CodeBlockWriter } from 'ts-morph';
import type { TensorType } from '../../../ir/types.ts';
import type { NodeOf } from '../../../ir/graph.ts';
import { type RecurrentSizes, recurrentSizes } from '../../../ops/recurrent.ts';
import { type KernelInput, inArg, outArg } from '../kernel.ts';

type Sizes = RecurrentSizes;

function sizesOf(n: NodeOf<'rnnGrad'>, inputs: readonly TensorType[]): Sizes {
  return recurrentSizes('rnn', n.attrs, inputs[0]!);
}

/** Scratch: the accumulators of dx, dw_ih, dw_hh and db, then the running dh and dpre. */
function layout(s: Sizes): number[] {
  const sizes = [s.T * s.B * s.I, s.D * s.H * s.I, s.D * s.H * s.H, s.D * s.H, s.H, s.H];
  const starts = [0];
  for (const n of sizes) starts.push(starts.at(-1)! + n);
  return starts;
}

/** f64 scratch elements of an rnnGrad kernel. */
export function rnnGradScratch(n: NodeOf<'rnnGrad'>, inputs: readonly TensorType[]): number {
  return layout(sizesOf(n, inputs)).at(-1)!;
}

/** One step of one (direction d, row b): dpre from dh, then the weight, input and state gradients. */
function emitStep(w: CodeBlockWriter, s: Sizes, d: number, reverse: boolean, relu: boolean): void {
  const { T, B, I, D, H } = s;
  const [x, wih, whh, h0, y, dy] = [inArg(0), inArg(1), inArg(2), inArg(5), inArg(6), inArg(7)];
  w.writeLine(reverse ? `const t = ${T - 1} - s;` : 'const t = s;');
  w.writeLine(`const hp = s === 0 ? -1 : (${reverse ? 't + 1' : 't - 1'}) * ${B * D * H} + b * ${D * H} + ${d * H};`);
  w.writeLine(`const ht = t * ${B * D * H} + b * ${D * H} + ${d * H};`);
  w.write(`for (let j = 0; j < ${H}; j++) `).block(() => {
    w.writeLine(`const g = dh[j] + ${dy}[ht + j];`);
    w.writeLine(`const h = ${y}[ht + j];`);
    w.writeLine(`const p = ${relu ? 'h > 0 ? g : 0' : 'g * (1 - h * h)'};`);
    w.writeLine('dp[j] = p;');
    w.writeLine(`db[${d * H} + j] += p;`);
    w.writeLine(`for (let i = 0; i < ${I}; i++) dwih[(${d * H} + j) * ${I} + i] += p * ${x}[(t * ${B} + b) * ${I} + i];`);
    w.writeLine(`for (let k = 0; k < ${H}; k++) dwhh[(${d * H} + j) * ${H} + k] += p * (hp < 0 ? ${h0}[${d * B * H} + b * ${H} + k] : ${y}[hp + k]);`);
  });
  w.write(`for (let i = 0; i < ${I}; i++) `).block(() => {
    w.writeLine('let sum = 0;');
    w.writeLine(`for (let j = 0; j < ${H}; j++) sum += ${wih}[(${d * H} + j) * ${I} + i] * dp[j];`);
    w.writeLine(`dx[(t * ${B} + b) * ${I} + i] += sum;`);
  });
  w.write(`for (let k = 0; k < ${H}; k++) `).block(() => {
    w.writeLine('let sum = 0;');
    w.writeLine(`for (let j = 0; j < ${H}; j++) sum += ${whh}[(${d * H} + j) * ${H} + k] * dp[j];`);
    w.writeLine('dh[k] = sum;');
  });
}

/** Emits the kernel of an rnnGrad node. */
export function emitRnnGrad(w: CodeBlockWriter, k: KernelInput<'rnnGrad'>): void {
  const s = sizesOf(k.node, k.inputs);
  const { T, B, D, H } = s;
  const at = layout(s);
  if (k.scratch !== 'sc') w.writeLine(`const sc = new Float64Array(${at.at(-1)!});`);
  ['dx', 'dwih', 'dwhh', 'db', 'dh', 'dp'].forEach((name, i) => w.writeLine(`const ${name} = sc.subarray(${at[i]}, ${at[i + 1]});`));
  w.writeLine(`sc.fill(0, 0, ${at[4]});`);
  const relu = k.node.attrs.activation === 'relu';
  for (let d = 0; d < D; d++) {
    const reverse = k.node.attrs.direction === 'reverse' || d === 1;
    w.write(`for (let b = 0; b < ${B}; b++) `).block(() => {
      w.writeLine(`for (let j = 0; j < ${H}; j++) dh[j] = ${inArg(8)}[${d * B * H} + b * ${H} + j];`);
      w.write(`for (let s = ${T - 1}; s >= 0; s--) `).block(() => emitStep(w, s, d, reverse, relu));
      w.writeLine(`for (let j = 0; j < ${H}; j++) ${outArg(4)}[${d * B * H} + b * ${H} + j] = dh[j];`);
    });
  }
  ['dx', 'dwih', 'dwhh', 'db'].forEach((name, i) => w.writeLine(`${outArg(i)}.set(${name});`));
}
