// `npm run training-curves`: trains seed 001's three programs on the TS backend from PyTorch's
// initial weights and draws each epoch's loss beside PyTorch's (test/fixtures/training/) as an
// SVG, docs/images/training-loss.svg, written by hand (no plotting dependency). Prints the
// largest relative difference per program for docs/training.md.
import { writeFileAtomic } from '../src/io/atomic.ts';
import { compileTraining } from '../src/train/index.ts';
import { TRAINING_EXAMPLES, loadExample, loadTrajectory, train } from '../test/train/helpers.ts';

interface Panel {
  readonly title: string;
  readonly torch: readonly number[];
  readonly ours: readonly number[];
}

const [W, H, PAD] = [300, 220, 40];

/** One panel: axes, ticks, PyTorch as a solid line with dots, opgraph as a dashed line with crosses. */
function panel(p: Panel, x0: number): string {
  const max = Math.max(...p.torch, ...p.ours) * 1.05;
  const n = p.torch.length;
  const px = (e: number): number => x0 + PAD + (e / (n - 1)) * (W - PAD - 10);
  const py = (v: number): number => 30 + (1 - v / max) * (H - 30 - PAD);
  const path = (ys: readonly number[]): string => ys.map((v, e) => `${e ? 'L' : 'M'}${px(e).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
  const yTicks = [0, max / 2, max].map((v) => `<text x="${x0 + PAD - 4}" y="${py(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`);
  const xTicks = [0, Math.floor((n - 1) / 2), n - 1].map((e) => `<text x="${px(e)}" y="${H - PAD + 16}" text-anchor="middle">${e + 1}</text>`);
  return [
    `<text x="${x0 + W / 2}" y="18" text-anchor="middle" font-weight="bold">${p.title}</text>`,
    `<path d="M${x0 + PAD},30 V${H - PAD} H${x0 + W - 10}" fill="none" stroke="#444"/>`,
    ...yTicks, ...xTicks,
    `<text x="${x0 + W / 2 + 15}" y="${H - 6}" text-anchor="middle">epoch</text>`,
    `<path d="${path(p.torch)}" fill="none" stroke="#d62728" stroke-width="3" opacity="0.6"/>`,
    ...p.torch.map((v, e) => `<circle cx="${px(e).toFixed(1)}" cy="${py(v).toFixed(1)}" r="3.5" fill="#d62728" opacity="0.6"/>`),
    `<path d="${path(p.ours)}" fill="none" stroke="#1f77b4" stroke-width="1.5" stroke-dasharray="5,3"/>`,
    ...p.ours.map((v, e) => `<path d="M${px(e) - 3},${py(v) - 3} l6,6 m0,-6 l-6,6" stroke="#1f77b4" stroke-width="1.5"/>`),
  ].join('\n');
}

function svg(panels: readonly Panel[]): string {
  const width = W * panels.length;
  const legend = [
    `<circle cx="20" cy="${H + 12}" r="3.5" fill="#d62728" opacity="0.6"/><text x="30" y="${H + 16}">PyTorch 1.13</text>`,
    `<path d="M127,${H + 9} l6,6 m0,-6 l-6,6" stroke="#1f77b4" stroke-width="1.5"/><text x="140" y="${H + 16}">opgraph (TS backend)</text>`,
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H + 26}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${panels.map((p, i) => panel(p, i * W)).join('\n')}
${legend.join('\n')}
</svg>
`;
}

const TITLES: Record<string, string> = {
  'train-rnncell': 'RNNCell, loss summed over steps',
  'train-rnn': 'RNN(4, 4)',
  'train-embed-rnn': 'Embedding + RNN(2 layers) + Linear',
};

const panels: Panel[] = [];
for (const name of TRAINING_EXAMPLES) {
  const { model, training } = await loadExample(name);
  const ref = await loadTrajectory(training.fixture!);
  const trainer = await compileTraining(model, { loss: training.loss, optimizer: training.optimizer, target: 'ts' });
  trainer.load(ref.init);
  const got = await train(trainer, training, ref.loss.length);
  const worst = Math.max(...got.loss.map((l, e) => Math.abs(l - ref.loss[e]!) / Math.abs(ref.loss[e]!)));
  console.log(`${name}: loss ${ref.loss[0]!.toFixed(4)} -> ${ref.loss.at(-1)!.toFixed(4)}, largest relative difference ${worst.toExponential(1)}`);
  panels.push({ title: TITLES[name]!, torch: ref.loss, ours: got.loss });
}
const out = new URL('../docs/images/training-loss.svg', import.meta.url).pathname;
await writeFileAtomic(out, svg(panels));
console.log(`wrote ${out}`);
